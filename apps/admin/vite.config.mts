/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/** `nx serve admin` proxies the API (default http://localhost:3000); `nx build admin` writes dist/apps/admin. */
/** Libraries in chunks of their own, each under Vite's 500 kB warning; the charts' only on pages with charts. */
const VENDOR_CHUNKS: Array<[string, RegExp]> = [
  ['charts', /node_modules\/(@mantine\/charts|recharts)\//],
  ['charts-d3', /node_modules\/(victory-vendor|d3-[a-z-]+|internmap|decimal\.js-light)\//],
  ['charts-state', /node_modules\/(@reduxjs|redux|react-redux|immer|reselect|es-toolkit|use-sync-external-store)\//],
  ['mantine', /node_modules\/@mantine\//],
  ['react-dom', /node_modules\/react-dom\//],
];

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  resolve: {
    alias: {
      '@fleet/contract': resolve(import.meta.dirname, '../../libs/contract/src/index.ts'),
      '@fleet/sdk': resolve(import.meta.dirname, '../../libs/sdk/src/index.ts'),
    },
  },
  build: {
    outDir: resolve(import.meta.dirname, '../../dist/apps/admin'),
    emptyOutDir: true,
    rollupOptions: {
      output: {
        // The component library apart from React and the rest: no chunk over 500 kB, and each cached on its own.
        manualChunks: (id: string) => VENDOR_CHUNKS.find(([, pattern]) => pattern.test(id))?.[0] ?? null,
      },
    },
  },
  server: {
    port: 4200,
    proxy: {
      '/api': process.env['API_URL'] ?? 'http://localhost:3000',
      '/sub': process.env['API_URL'] ?? 'http://localhost:3000',
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.tsx', 'src/**/*.test.ts'],
    setupFiles: ['src/test-setup.ts'],
  },
});
