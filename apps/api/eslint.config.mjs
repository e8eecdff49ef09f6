import baseConfig from '../../eslint.config.mjs';

const QUERIES_ONLY_IN_REPOSITORIES = 'SQL and query builders live in *.repository.ts (one repository per aggregate)';
const SERVICES_ARE_A_MODULES_FACE =
  "Another module's repository is not its API: call its service (import type is fine for its row types)";

export default [
  ...baseConfig,
  {
    files: ['src/modules/**/*.ts'],
    ignores: ['src/modules/**/*.repository.ts', 'src/modules/**/*.spec.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name='query']", message: QUERIES_ONLY_IN_REPOSITORIES },
        { selector: "CallExpression[callee.property.name='createQueryBuilder']", message: QUERIES_ONLY_IN_REPOSITORIES },
      ],
    },
  },
  {
    // Modules are the folders directly under src/modules, so '../<module>/x.repository' is always another module's.
    files: ['src/modules/**/*.ts'],
    ignores: ['src/modules/**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^\\.\\./[^/]+/[^/]+\\.repository$', allowTypeImports: true, message: SERVICES_ARE_A_MODULES_FACE },
          ],
        },
      ],
    },
  },
];
