import { fileURLToPath, URL } from 'node:url'

import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'

// The API paths `npm run dev` forwards to Django (`make run`, port 8000); everything else is the client.
const API_PREFIXES = ['/auth', '/books', '/authors', '/deals', '/waste', '/pets', '/media', '/schema', '/docs', '/static', '/health']
const API_TARGET = process.env.API_URL ?? 'http://127.0.0.1:8000'

export default defineConfig({
  // Django serves the built files under /app/ (config/webapp.py); the router uses the same base.
  base: '/app/',
  plugins: [vue()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Hashed names under assets/ only: Django caches that folder forever.
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    rollupOptions: {
      output: {
        // "AuthorPicker-<hash>.js" rather than the compiler's "AuthorPicker.vue_vue_type_script_setup_true_lang-…".
        chunkFileNames: (chunk) => `assets/${chunk.name.replace(/\.vue_vue_type.*$/, '')}-[hash].js`,
        // The two large libraries get chunks of their own, named so (only the deals and the waste page load them).
        manualChunks: (id) => {
          if (/[\\/]node_modules[\\/](chart\.js|@kurkle)[\\/]/.test(id)) return 'chartjs'
          if (/[\\/]node_modules[\\/]cytoscape[\\/]/.test(id)) return 'cytoscape'
          return undefined
        },
      },
    },
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: Object.fromEntries(API_PREFIXES.map((prefix) => [prefix, { target: API_TARGET, changeOrigin: false }])),
  },
  test: {
    environment: 'happy-dom',
    include: ['tests/**/*.spec.ts'],
    restoreMocks: true,
  },
})
