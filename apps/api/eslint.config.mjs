import baseConfig from '../../eslint.config.mjs';

const QUERIES_ONLY_IN_REPOSITORIES = 'SQL and query builders live in *.repository.ts (one repository per aggregate)';

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
];
