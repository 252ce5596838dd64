#!/usr/bin/env node
/**
 * Writes oclif.manifest.json: every command's id, flags and file, read once from dist/commands.
 * Without it oclif imports EVERY command file at each start to learn what commands exist (the
 * recorder's Koa stack, the operator commands, ...): a tenth of a second of CPU in `dispatchr
 * schedule`'s start-up. With it, a command loads only its own file. Written for the package only
 * (`prepack`, after a build, so it lists what dist/ holds; removed by `postpack`), as oclif advises: oclif loads a manifest's files even in
 * development mode, so one in the working tree would make bin/dev.js (and the tests) run dist/
 * instead of src/.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Plugin } from '@oclif/core';

const root = fileURLToPath(new URL('..', import.meta.url));
const plugin = new Plugin({
  root,
  type: 'core',
  ignoreManifest: true,
  errorOnManifestCreate: true,
  respectNoCacheDefault: true,
});
await plugin.load();
// A package whose manifest lists no command would install a CLI without commands.
if (Object.keys(plugin.manifest.commands).length === 0) {
  console.error('oclif-manifest: no command found under dist/commands; build first (npm run build)');
  process.exit(1);
}
writeFileSync(path.join(root, 'oclif.manifest.json'), `${JSON.stringify(plugin.manifest, null, 2)}\n`);
console.log(`wrote oclif.manifest.json (${Object.keys(plugin.manifest.commands).length} commands)`);
