// ESLint flat config: neostandard (the Fastify ecosystem's style) with typescript-eslint's
// type-checked rules on every TypeScript file. `npm run lint` must pass with no warnings.
import neostandard from 'neostandard'
import tseslint from 'typescript-eslint'

export default [
  { ignores: ['dist/', 'coverage/', 'test-results/', 'node_modules/'] },
  ...neostandard({ ts: true }),
  ...tseslint.configs.recommendedTypeChecked.map((config) => ({ ...config, files: ['**/*.ts'] })),
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname }
    },
    rules: {
      // Fastify plugins, hooks and handlers are async functions by contract (returning a promise
      // is how Fastify knows they are done), whether or not they await anything.
      '@typescript-eslint/require-await': 'off',
      // `void promise` marks a promise left to run on purpose (no-floating-promises asks for it).
      'no-void': ['error', { allowAsStatement: true }]
    }
  },
  {
    // light-my-request's `res.json()` and JSON.parse return `any`; tests assert the shape itself.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-explicit-any': 'off'
    }
  },
  {
    // What the trust page sends to browsers (embed.js) runs there, with a browser's globals.
    files: ['assets/**/*.js'],
    languageOptions: {
      globals: { document: 'readonly', location: 'readonly', fetch: 'readonly', customElements: 'readonly', HTMLElement: 'readonly', CSSStyleSheet: 'readonly' }
    }
  },
  {
    // Small pieces: a function that does not fit on a screen is doing more than one thing.
    files: ['src/**/*.ts'],
    rules: {
      'max-lines-per-function': ['error', { max: 50 }]
    }
  }
]
