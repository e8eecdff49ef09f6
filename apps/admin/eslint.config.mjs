import baseConfig from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  {
    // Features never import each other; what they share lives in src/lib, src/components or src/testing,
    // and pages are composed in src/app.
    files: ['src/features/**/*.ts', 'src/features/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../../*/**', '!../../../**'],
              message: 'features never import each other: share through src/lib, src/components or src/testing',
            },
          ],
        },
      ],
    },
  },
];
