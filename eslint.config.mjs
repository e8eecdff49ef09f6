import nx from '@nx/eslint-plugin';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/out-tsc', '**/data', '**/coverage'],
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.jsx'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$', '^.*/webpack\\.node-app$'],
          depConstraints: [
            // The contract is the shared vocabulary: it depends on nothing in the workspace.
            { sourceTag: 'type:contract', onlyDependOnLibsWithTags: [] },
            // Libraries never import apps; they may use the contract and other libraries.
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:contract', 'type:lib'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contract', 'type:lib'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:contract', 'type:lib'] },
            // The API and the SPA never import each other.
            { sourceTag: 'scope:api', notDependOnLibsWithTags: ['scope:admin'] },
            { sourceTag: 'scope:admin', notDependOnLibsWithTags: ['scope:api'] },
          ],
        },
      ],
    },
  },
  {
    files: [
      '**/*.ts',
      '**/*.tsx',
      '**/*.cts',
      '**/*.mts',
      '**/*.js',
      '**/*.jsx',
      '**/*.cjs',
      '**/*.mjs',
    ],
    // Override or add rules here
    rules: {},
  },
];
