import { defineConfig } from 'vite';

// served by the gateway under /ui/ (gateway/pom.xml builds it into the classpath folder berth-ui/)
export default defineConfig({
  base: '/ui/',
  build: { outDir: 'dist', assetsInlineLimit: 0, sourcemap: false },
  test: { include: ['test/**/*.test.js'], environment: 'node' },
});
