// What the ABI scripts share: write generated files into a folder, or with --check compare them
// with the committed ones and exit 1 naming the stale files.

import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes `files` (name -> text) into `outDir`, or checks them when `check`; `tag` prefixes the
 * messages, `source` names where they came from and `script` how to regenerate them.
 */
export function writeOrCheck({ outDir, files, check, tag, source, script }) {
  const stale = [];
  if (!check) mkdirSync(outDir, { recursive: true });
  for (const [file, text] of files) {
    const path = join(outDir, file);
    if (check) {
      if (!existsSync(path) || readFileSync(path, 'utf8') !== text) stale.push(file);
    } else {
      writeFileSync(path, text);
    }
  }
  if (check && stale.length > 0) {
    console.error(`${tag}: ${outDir} is stale (${stale.join(', ')}): run node ${script}`);
    process.exit(1);
  }
  console.log(`${check ? 'checked' : 'wrote'} ${files.size} files from ${source}`);
}
