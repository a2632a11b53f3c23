// Lint: type-aware typescript-eslint, no floating promises, and the layering
// rules that keep the folders one-way. `npm test` runs it (npm run lint).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';

// Layers, bottom to top. A folder may import its own layer and the ones below.
const LAYERS = [
  ['lib', 'config', 'db', 'templates'],
  ['journeys', 'events', 'contacts', 'segments', 'newsletters', 'approvals', 'users', 'email'],
  ['workflows', 'activities'],
  ['server', 'worker', 'cli', 'stack', 'scripts', 'bench', 'tools'],
];

const layerRules = LAYERS.flatMap((folders, i) => {
  const above = LAYERS.slice(i + 1).flat();
  if (above.length === 0) return [];
  return folders.map((folder) => ({
    files: [`${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: above.map((up) => ({ group: [`**/${up}/*`, `**/${up}`], message: `${folder}/ is below ${up}/: import downward only (see README, Architecture).` })),
      }],
    },
  }));
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'web/dist/**', '.data/**', '.tools/**', '.test-data/**', 'web/**', '**/*.mjs', '**/*.cjs', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver': { node: { extensions: ['.ts', '.tsx', '.js'] } } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'import-x/no-cycle': ['error', { maxDepth: Infinity }],
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  ...layerRules,
  {
    // Workflow code is replayed: no Node built-ins, no Prisma, no activity code (types only).
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*'], message: 'workflows must be deterministic: no Node built-ins.' },
          { group: ['@prisma/*', '**/lib/db'], message: 'workflows never touch the database: use an activity.' },
          { group: ['**/activities/*', '**/activities'], allowTypeImports: true, message: 'workflows import activity types only (proxyActivities).' },
          { group: ['@temporalio/worker', '@temporalio/client', '@temporalio/activity'], message: 'workflows depend on @temporalio/workflow only.' },
          ...LAYERS[3].map((up) => ({ group: [`**/${up}/*`, `**/${up}`], message: `workflows/ is below ${up}/.` })),
        ],
      }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
