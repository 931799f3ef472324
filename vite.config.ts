import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Static site: everything runs in the browser; the engine runs in a module worker.
export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  server: { host: '127.0.0.1', port: 5173 },
});
