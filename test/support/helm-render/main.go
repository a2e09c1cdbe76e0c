// helm-render: `helm template` for machines without Helm. It renders a chart the way Helm's
// engine does (pkg/engine): Go text/template with Sprig's functions less env/expandenv, Helm's
// include, tpl, required, fail, toYaml, fromYaml, toJson, every template parsed into one set so
// named templates are shared, missing keys rendering as zero values, and the built-in objects
// .Values (values.yaml merged with -f files), .Release, .Chart, .Template and .Capabilities.
//
//   go run ./test/support/helm-render CHART_DIR [-f values.yaml]... [--name RELEASE]
// Built with Debian's golang-go and golang-github-masterminds-sprig-dev (GOPATH mode).
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"gopkg.in/yaml.v3"
)

func toYaml(v interface{}) string {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return ""
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

func fromYaml(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

// merge overlays b onto a, recursively for maps, as Helm coalesces values files.
func merge(a, b map[string]interface{}) map[string]interface{} {
	for k, v := range b {
		if bm, ok := v.(map[string]interface{}); ok {
			if am, ok := a[k].(map[string]interface{}); ok {
				a[k] = merge(am, bm)
				continue
			}
		}
		a[k] = v
	}
	return a
}

func readYaml(path string) map[string]interface{} {
	data, err := os.ReadFile(path)
	if err != nil {
		fail(err)
	}
	m := map[string]interface{}{}
	if err := yaml.Unmarshal(data, &m); err != nil {
		fail(fmt.Errorf("%s: %w", path, err))
	}
	return m
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "Error:", err)
	os.Exit(1)
}

func main() {
	if len(os.Args) < 2 {
		fail(fmt.Errorf("usage: helm-render CHART_DIR [-f values.yaml]... [--name RELEASE]"))
	}
	chartDir := os.Args[1]
	release := "release-name"
	values := readYaml(filepath.Join(chartDir, "values.yaml"))
	for i := 2; i < len(os.Args); i++ {
		switch os.Args[i] {
		case "-f":
			i++
			values = merge(values, readYaml(os.Args[i]))
		case "--name":
			i++
			release = os.Args[i]
		default:
			fail(fmt.Errorf("unknown argument %s", os.Args[i]))
		}
	}
	chart := readYaml(filepath.Join(chartDir, "Chart.yaml"))
	chartName, _ := chart["name"].(string)
	chartObj := map[string]interface{}{"Name": chart["name"], "Version": chart["version"], "AppVersion": chart["appVersion"], "Description": chart["description"]}

	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	root := template.New("gotpl").Option("missingkey=zero")
	includeDepth := 0
	funcs["include"] = func(name string, data interface{}) (string, error) {
		includeDepth++
		defer func() { includeDepth-- }()
		if includeDepth > 1000 {
			return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
		}
		var buf bytes.Buffer
		err := root.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		t, err := root.Clone()
		if err != nil {
			return "", err
		}
		t, err = t.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var buf bytes.Buffer
		err = t.Execute(&buf, data)
		return buf.String(), err
	}
	funcs["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil {
			return nil, fmt.Errorf(msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return nil, fmt.Errorf(msg)
		}
		return v, nil
	}
	funcs["fail"] = func(msg string) (string, error) { return "", fmt.Errorf(msg) }
	funcs["toYaml"] = toYaml
	funcs["fromYaml"] = fromYaml
	funcs["lookup"] = func(string, string, string, string) map[string]interface{} { return map[string]interface{}{} }
	root.Funcs(funcs)

	files, err := filepath.Glob(filepath.Join(chartDir, "templates", "*"))
	if err != nil {
		fail(err)
	}
	sort.Strings(files)
	names := []string{}
	for _, f := range files {
		base := filepath.Base(f)
		if !strings.HasSuffix(base, ".yaml") && !strings.HasSuffix(base, ".tpl") && base != "NOTES.txt" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			fail(err)
		}
		name := chartName + "/templates/" + base
		if _, err := root.New(name).Parse(string(data)); err != nil {
			fail(err)
		}
		if !strings.HasPrefix(base, "_") && base != "NOTES.txt" {
			names = append(names, name)
		}
	}
	var out bytes.Buffer
	for _, name := range names {
		data := map[string]interface{}{
			"Values":       values,
			"Chart":        chartObj,
			"Release":      map[string]interface{}{"Name": release, "Namespace": "default", "Service": "Helm", "Revision": 1, "IsInstall": true, "IsUpgrade": false},
			"Template":     map[string]interface{}{"Name": name, "BasePath": chartName + "/templates"},
			"Capabilities": map[string]interface{}{"KubeVersion": map[string]interface{}{"Version": "v1.30.0", "Major": "1", "Minor": "30"}},
		}
		var buf bytes.Buffer
		if err := root.ExecuteTemplate(&buf, name, data); err != nil {
			fail(err)
		}
		if strings.TrimSpace(buf.String()) == "" {
			continue
		}
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", name, strings.TrimSpace(buf.String()))
	}
	os.Stdout.Write(out.Bytes())
}
