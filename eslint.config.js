import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'coverage/'] },
  js.configs.recommended,
  { languageOptions: { globals: globals.node } },
  // The console's browser code runs in the page, not in Node.
  { files: ['src/console/client/**'], languageOptions: { globals: globals.browser } },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Config is parsed once in src/config.ts; nothing below it reads the environment.
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read config from src/config.ts' }],
      // A plain `Operation` takes any handler (its holders need that); one declared as
      // `Operation<typeof Request>` has its handler's input checked against the request's schema.
      'no-restricted-syntax': [
        'error',
        ...[
          'VariableDeclarator > Identifier > TSTypeAnnotation > TSTypeReference[typeName.name="Operation"]:not([typeArguments])',
          ':function > TSTypeAnnotation > TSTypeReference[typeName.name="Operation"]:not([typeArguments])',
          'TSSatisfiesExpression > TSTypeReference[typeName.name="Operation"]:not([typeArguments])',
        ].map((selector) => ({ selector, message: 'Declare an operation as Operation<typeof Request>, so its handler input is its schema' })),
      ],
    },
  },
  {
    files: ['src/cli/run.ts', 'test/**', 'bench/**', 'bin/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
