// Lints sources that exist only in memory as if they were files at the given paths, with
// the repository's eslint.config.mjs. Type information is off (the files are not in the
// TypeScript project), so the type-aware rules are off; every other rule, and which files
// it applies to, is the real configuration. Reads [{ filePath, code }] as JSON on stdin,
// writes [{ filePath, messages: [{ ruleId, message }] }] on stdout. A child process, because
// jest cannot import() the ES module config (jest.config.ts).
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

const root = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({
  cwd: root,
  overrideConfig: [
    {
      files: ['**/*.ts'],
      ...tseslint.configs.disableTypeChecked,
      languageOptions: { parserOptions: { projectService: false, project: null } },
    },
  ],
});

let input = '';
for await (const chunk of process.stdin) input += chunk;
const out = [];
for (const { filePath, code } of JSON.parse(input)) {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  out.push({
    filePath,
    messages: (result?.messages ?? []).map((m) => ({ ruleId: m.ruleId, message: m.message })),
  });
}
process.stdout.write(JSON.stringify(out));
