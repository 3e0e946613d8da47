// What the compile scripts share (compile-origin.mjs, compile-morpho.mjs): solc-js over sources
// read from node_modules only (offline), one JSON artifact per contract kept (abi, bytecode,
// linkReferences) plus manifest.json, written into devnet/.cache/<key>/ once per key (a folder
// that exists is the cache), atomically (a racing process keeps the first folder).
//
// A target is { tag, solcPackage, root, contracts: [[file under root, name]], libraryDir?,
// settings, keyParts: [strings] }; run(target) prints the artifact folder on stdout (last line),
// or the key only with --key. Progress and timings go to stderr.

import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const MODULES = path.join(HERE, 'node_modules');

export function versionOf(pkg) {
  const file = path.join(MODULES, pkg, 'package.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')).version;
}

function cacheKey(target) {
  return target.keyParts.join('_').replace(/[^A-Za-z0-9._-]/g, '-');
}

/** Reads an import from node_modules; the path is never allowed outside it. */
function findImport(importPath) {
  const full = path.resolve(MODULES, importPath);
  if (!full.startsWith(MODULES + path.sep)) {
    return { error: `import outside node_modules: ${importPath}` };
  }
  try {
    return { contents: fs.readFileSync(full, 'utf8') };
  } catch (e) {
    return { error: `cannot read ${importPath}: ${e.code || e.message}` };
  }
}

function compile(target, outDir, key) {
  const log = (msg) => process.stderr.write(`${target.tag}: ${msg}\n`);
  const require = createRequire(import.meta.url);
  const started = Date.now();
  const solc = require(target.solcPackage);
  log(`solc-js ${solc.version()} loaded in ${Date.now() - started} ms`);

  const libraryFiles = target.libraryDir
    ? fs
        .readdirSync(path.join(MODULES, target.root, target.libraryDir))
        .filter((f) => f.endsWith('.sol'))
        .map((f) => `${target.libraryDir}/${f}`)
    : [];
  const files = [...new Set([...target.contracts.map(([file]) => file), ...libraryFiles])];
  const sources = {};
  const outputSelection = {};
  for (const file of files) {
    const unit = `${target.root}/${file}`;
    sources[unit] = { content: fs.readFileSync(path.join(MODULES, unit), 'utf8') };
    outputSelection[unit] = {
      '*': ['abi', 'evm.bytecode.object', 'evm.bytecode.linkReferences', 'evm.deployedBytecode.object'],
    };
  }
  const input = { language: 'Solidity', sources, settings: { ...target.settings, outputSelection } };
  log(`compiling ${files.length} entry files (seconds to minutes with solc-js)…`);
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport }));
  const errors = (output.errors || []).filter((e) => e.severity === 'error');
  if (errors.length > 0) {
    for (const e of errors) log(e.formattedMessage || e.message);
    throw new Error(`${errors.length} compile error(s)`);
  }
  const compileMs = Date.now() - started;

  // Every contract with bytecode, by name; names must be unique among what we keep.
  const byName = new Map();
  for (const [unit, contracts] of Object.entries(output.contracts || {})) {
    for (const [name, c] of Object.entries(contracts)) {
      if (!c.evm?.bytecode?.object) continue;
      if (byName.has(name)) throw new Error(`contract name ${name} is not unique`);
      byName.set(name, { unit, c });
    }
  }
  // Keep the wanted contracts and, transitively, every library they link against.
  const keep = new Set();
  const visit = (name) => {
    if (keep.has(name)) return;
    const entry = byName.get(name);
    if (!entry) throw new Error(`no bytecode for ${name}`);
    keep.add(name);
    for (const libs of Object.values(entry.c.evm.bytecode.linkReferences || {})) {
      for (const lib of Object.keys(libs)) visit(lib);
    }
  };
  for (const [, name] of target.contracts) visit(name);

  const tmp = `${outDir}.tmp-${process.pid}-${Date.now()}`;
  fs.mkdirSync(tmp, { recursive: true });
  const summary = [];
  for (const name of [...keep].sort()) {
    const { unit, c } = byName.get(name);
    const deployedBytes = c.evm.deployedBytecode.object.length / 2;
    const artifact = {
      contractName: name,
      sourceName: unit,
      abi: c.abi,
      bytecode: `0x${c.evm.bytecode.object}`,
      linkReferences: c.evm.bytecode.linkReferences || {},
      deployedSize: deployedBytes,
    };
    fs.writeFileSync(path.join(tmp, `${name}.json`), JSON.stringify(artifact));
    summary.push({ name, deployedSize: deployedBytes });
  }
  const manifest = {
    key,
    solc: solc.version(),
    settings: { ...target.settings },
    compileMs,
    contracts: summary,
  };
  fs.writeFileSync(path.join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2));
  try {
    fs.renameSync(tmp, outDir);
  } catch (e) {
    // Another process finished first: keep its folder.
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(path.join(outDir, 'manifest.json'))) throw e;
  }
  for (const { name, deployedSize } of summary) {
    const flag = deployedSize > 24576 ? '  (over the 24 KiB limit!)' : '';
    log(`  ${name}: ${deployedSize} bytes deployed${flag}`);
  }
  log(`compiled ${summary.length} contracts in ${(compileMs / 1000).toFixed(1)} s`);
}

/** Compiles `target` unless its folder is cached; prints the folder (or the key with --key). */
export function run(target) {
  try {
    main(target);
  } catch (e) {
    process.stderr.write(`${target.tag}: failed: ${e.message}\n`);
    process.exit(1);
  }
}

function main(target) {
  const log = (msg) => process.stderr.write(`${target.tag}: ${msg}\n`);
  const key = cacheKey(target);
  if (process.argv.includes('--key')) {
    process.stdout.write(`${key}\n`);
    return;
  }
  const outDir = path.join(HERE, '.cache', key);
  if (fs.existsSync(path.join(outDir, 'manifest.json'))) {
    log(`cached: ${outDir}`);
  } else {
    fs.mkdirSync(path.dirname(outDir), { recursive: true });
    compile(target, outDir, key);
  }
  process.stdout.write(`${outDir}\n`);
}
