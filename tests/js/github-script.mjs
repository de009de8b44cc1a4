// Run an actions/github-script `script:` against a fake GitHub API, to test the
// workflow logic (sticky comment, reminder issue) without touching GitHub.
//
//   node tests/js/github-script.mjs SCRIPT_FILE SCENARIO_JSON   (run in the folder the script expects)
//
// SCENARIO_JSON: {context: {...}, pr: {head: {sha}}, comments: [...], issues: [...], jobs: [...], files: [...]}
// Prints {calls: [[method, params], ...], failed: message|null, info: [...]}.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

const [scriptFile, scenarioFile] = process.argv.slice(2);
const script = await readFile(scriptFile, "utf8");
const scenario = JSON.parse(await readFile(scenarioFile, "utf8"));

const calls = [];
const info = [];
let failed = null;
let nextId = 1000;
const record = (name, result) => async (params) => {
  calls.push([name, params]);
  return { data: typeof result === "function" ? result(params) : result };
};

const github = {
  rest: {
    pulls: {
      get: record("pulls.get", () => scenario.pr),
      listFiles: record("pulls.listFiles", () => scenario.files ?? []),
    },
    actions: {
      listJobsForWorkflowRun: record("actions.listJobsForWorkflowRun", () => scenario.jobs ?? []),
    },
    issues: {
      listComments: record("issues.listComments", () => scenario.comments ?? []),
      listForRepo: record("issues.listForRepo", () => scenario.issues ?? []),
      createComment: record("issues.createComment", () => ({ id: nextId++ })),
      updateComment: record("issues.updateComment", () => ({})),
      create: record("issues.create", () => ({ number: nextId++ })),
      update: record("issues.update", () => ({})),
    },
  },
  // Like Octokit's paginate: call the list method, return every item.
  paginate: async (method, params) => (await method(params)).data,
};
const core = {
  setFailed: (msg) => { failed = String(msg); },
  info: (msg) => { info.push(String(msg)); },
};

const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
const fn = new AsyncFunction("github", "context", "core", "require", script);
await fn(github, scenario.context, core, createRequire(import.meta.url));
process.stdout.write(JSON.stringify({ calls, failed, info }) + "\n");
