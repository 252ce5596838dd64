import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The dashboard: Preact with hooks (its JSX compiled by Vite's own Oxc transform, so no Babel
 * preset) and uPlot for the chart, built into dist/ui, which the recorder serves at
 * `<basePath>/ui/` (src/recorder/ui-static.ts). `base: './'` makes every asset URL relative to the
 * page, so one build works under any basePath or mount point. Asset names carry a content hash:
 * the recorder caches them for a year and revalidates index.html on every load.
 *
 * `npx vite --config ui/vite.config.ts` serves it for development, calling a recorder on 8787.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../dist/ui',
    emptyOutDir: true,
    sourcemap: false,
    // Every browser the app supports has modulepreload: no polyfill in the entry chunk.
    modulePreload: { polyfill: false },
  },
  server: { proxy: { '/v1': 'http://127.0.0.1:8787' } },
});
