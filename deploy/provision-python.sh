#!/usr/bin/env bash
# Provisions what the Python trainer's CPU tests need (training/python): Debian's python3 with
# python3-torch. Idempotent: does nothing when /usr/bin/python3 already imports torch.
set -euo pipefail

log() { printf '[provision-python] %s\n' "$*" >&2; }
python=/usr/bin/python3

if "$python" -c 'import torch' >/dev/null 2>&1; then
  log "python3-torch already installed"
  exit 0
fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null 2>&1; then
  log "python3-torch is missing and this is not root: run 'apt-get install -y python3-torch' as root first"
  exit 1
fi

log "installing python3-torch from Debian's packages (a few hundred MB)"
export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -qq
as_root apt-get install -y -qq python3 python3-torch >/dev/null
"$python" -c 'import torch' || { log "python3-torch installed but $python cannot import torch"; exit 1; }
log "python3-torch $("$python" -c 'import torch; print(torch.__version__)') is ready"
