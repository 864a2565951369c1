// npm run lint (and .ci/run, before the tests): ESLint's and typescript-eslint's recommended rules, without
// type information so it takes seconds; tsc (npm run typecheck, and the typecheck jest project) checks types.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// Every eslint-disable says why, after `--` (the house style). ESLint has no core rule for it; this is one.
const disableNeedsReason = {
  meta: { type: 'suggestion', docs: { description: 'an eslint-disable comment gives its reason after --' }, schema: [] },
  create(context) {
    return {
      Program() {
        for (const comment of context.sourceCode.getAllComments()) {
          if (/^\s*eslint-disable/.test(comment.value) && !/\s--\s*\S/.test(comment.value)) {
            context.report({ loc: comment.loc, message: 'Say why after `--`: // eslint-disable-next-line rule -- reason' });
          }
        }
      },
    };
  },
};

export default defineConfig(
  { ignores: ['**/node_modules/', 'cdk.out/', 'cdk.out.*/', 'coverage/', 'web/dist/', 'web/.web-build-*/', '.local-data/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { switchboard: { rules: { 'disable-needs-reason': disableNeedsReason } } },
    rules: {
      'switchboard/disable-needs-reason': 'error',
      // The codebase names what it leaves unused on purpose with a leading underscore: a field dropped by
      // destructuring (`{ rev: _rev, ...head }`), a parameter a signature requires. Anything else unused is an error.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
);
