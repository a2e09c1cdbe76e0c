// The launcher the settings choose, or null when scheduled training is off.
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Config } from "../../src/config.js";
import { CommandLauncher } from "./command.js";
import { KubernetesLauncher } from "./kubernetes.js";
import type { Launcher } from "./types.js";

/** The bundled trainer (training/python), so `python3 -m lego_train` works in a command template. */
const bundledTrainer = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../python");

export function trainDirOf(config: Config): string {
  return path.resolve(config.LEGO_TRAIN_DIR ?? path.join(config.LEGO_DATA_DIR, "training"));
}

/** Pure: `a=b,c=d` → { a: "b", c: "d" }; a malformed pair is an error naming it. */
export function parseNodeSelector(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (raw ?? "").split(",").map((p) => p.trim()).filter(Boolean)) {
    const i = pair.indexOf("=");
    if (i <= 0) throw new Error(`LEGO_TRAIN_K8S_NODE_SELECTOR: "${pair}" is not key=value`);
    out[pair.slice(0, i).trim()] = pair.slice(i + 1).trim();
  }
  return out;
}

export function launcherFrom(config: Config): Launcher | null {
  const trainDir = trainDirOf(config);
  const timeoutMs = config.LEGO_TRAIN_TIMEOUT_SEC * 1000;
  if (config.LEGO_TRAIN_LAUNCHER === "command") {
    return new CommandLauncher({ template: config.LEGO_TRAIN_COMMAND ?? "", cwd: trainDir, env: { PYTHONPATH: [bundledTrainer, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter) }, timeoutMs, logDir: path.join(trainDir, "logs") });
  }
  if (config.LEGO_TRAIN_LAUNCHER === "kubernetes") {
    return new KubernetesLauncher({
      ...(config.LEGO_TRAIN_K8S_API_URL ? { apiUrl: config.LEGO_TRAIN_K8S_API_URL } : {}),
      ...(config.LEGO_TRAIN_K8S_TOKEN ? { token: config.LEGO_TRAIN_K8S_TOKEN } : {}),
      namespace: config.LEGO_TRAIN_K8S_NAMESPACE,
      image: config.LEGO_TRAIN_K8S_IMAGE ?? "",
      template: config.LEGO_TRAIN_COMMAND ?? "",
      gpus: config.LEGO_TRAIN_K8S_GPUS,
      ...(config.LEGO_TRAIN_K8S_PVC ? { claim: config.LEGO_TRAIN_K8S_PVC } : {}),
      trainDir,
      ...(config.LEGO_TRAIN_K8S_SERVICE_ACCOUNT ? { serviceAccount: config.LEGO_TRAIN_K8S_SERVICE_ACCOUNT } : {}),
      nodeSelector: parseNodeSelector(config.LEGO_TRAIN_K8S_NODE_SELECTOR),
      timeoutMs,
    });
  }
  return null;
}
