// Lint: type-aware typescript-eslint, no floating promises, and the layering
// rules that keep the folders one-way. `npm test` runs it (npm run lint).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { dirname, relative, resolve, sep } from 'node:path';

// Layers, bottom to top: a folder imports only folders of lower rank (never
// one of its own rank, never upward), type imports included. A total order
// over folders rules out folder-level cycles. See README, "Architecture".
const LAYERS = [
  ['config'],
  ['lib'],
  ['shared'],
  ['email', 'journeys'],
  ['contacts', 'segments'],
  ['events', 'approvals', 'users'],
  ['newsletters'],
  ['activities', 'db', 'templates'],
  ['workflows'],
  ['simulator'],
  ['stack'],
  ['worker'],
  ['server'],
  ['cli', 'scripts', 'bench', 'tools'],
];
const RANK = new Map(LAYERS.flatMap((folders, rank) => folders.map((f) => [f, rank])));
const ROOT = import.meta.dirname;

function topFolder(file) {
  const rel = relative(ROOT, file);
  if (rel.startsWith('..')) return null;
  const parts = rel.split(sep);
  return parts.length > 1 ? parts[0] : null;
}

/** The layering rule: resolves each relative import to its top-level folder and compares ranks. */
const layers = {
  meta: {
    type: 'problem',
    schema: [],
    messages: {
      up: '{{from}}/ (layer {{fromRank}}) must not import {{to}}/ (layer {{toRank}}): import only from lower layers (README, Architecture).',
    },
  },
  create(context) {
    const from = topFolder(context.filename);
    if (!from || !RANK.has(from)) return {};
    const check = (node) => {
      const spec = node.source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const to = topFolder(resolve(dirname(context.filename), spec));
      if (!to || to === from || !RANK.has(to)) return;
      if (RANK.get(to) >= RANK.get(from)) {
        context.report({ node: node.source, messageId: 'up', data: { from, to, fromRank: RANK.get(from), toRank: RANK.get(to) } });
      }
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'web/dist/**', '.data/**', '.tools/**', '.test-data/**', 'web/**', '**/*.mjs', '**/*.cjs', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX, rapport: { rules: { layers } } },
    settings: { 'import-x/resolver': { node: { extensions: ['.ts', '.tsx', '.js'] } } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'import-x/no-cycle': ['error', { maxDepth: Infinity }],
      'rapport/layers': 'error',
      'no-empty': ['error', { allowEmptyCatch: true }],
      // Input hygiene matches NUL and other control characters on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    // Workflow code is replayed: no Node built-ins, no Prisma, no activity code (types only).
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'workflows must be deterministic: no Node built-ins.' },
            { group: ['@prisma/*', '**/lib/db'], message: 'workflows never touch the database: use an activity.' },
            {
              group: ['**/activities/*', '**/activities'],
              allowTypeImports: true,
              message: 'workflows import activity types only (proxyActivities).',
            },
            {
              group: ['@temporalio/worker', '@temporalio/client', '@temporalio/activity'],
              message: 'workflows depend on @temporalio/workflow only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
