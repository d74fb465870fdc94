// Builds the console into dist/ (or --outDir, as CMake passes). `aimass serve` serves it at /.
// `npx vite` serves it for development, sending API calls to the server in AIMASS_URL.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const server = process.env.AIMASS_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: { target: 'es2020', chunkSizeWarningLimit: 400 },
  server: {
    proxy: {
      '/api': { target: server, changeOrigin: true },
      '/v2': { target: server, changeOrigin: true },
    },
  },
});
