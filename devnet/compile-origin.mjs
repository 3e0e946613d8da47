#!/usr/bin/env node
// Compiles the Aave v3.6 market contracts from the npm package @aave-dao/aave-v3-origin with the
// pinned solc-js, offline, into devnet/.cache/<key>/ (the key starts with origin-) (one JSON artifact per contract:
// abi, bytecode, linkReferences; plus manifest.json). The key covers every input that changes the
// bytecode: the origin, OpenZeppelin and solidity-utils package versions, the compiler version
// and SCRIPT_VERSION. When the folder for the key exists the script only prints it and exits.
//
// Settings are upstream's (aave-v3-origin foundry.toml): optimizer on, 200 runs, EVM shanghai,
// no metadata hash. The compiler is solc 0.8.27 (pinned in package.json): the 3.6 sources use
// `require(condition, CustomError())`, which the legacy (non-IR) pipeline compiles from 0.8.27 on,
// and it is the version upstream moved to for v3.4+ (the older foundry.toml said 0.8.22). Remappings are upstream's forge remappings, pointed at npm packages:
//   openzeppelin-contracts/contracts/             -> @openzeppelin/contracts/
//   openzeppelin-contracts-upgradeable/contracts/ -> @openzeppelin/contracts-upgradeable/
//   solidity-utils/contracts/                     -> @bgd-labs/solidity-utils/src/contracts/
//
// Usage: node compile-origin.mjs            prints the artifact folder on stdout (last line)
//        node compile-origin.mjs --key      prints the cache key only (no compile)
// Progress and timings go to stderr.

import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bump when the contract list, settings or output format change. */
const SCRIPT_VERSION = 1;

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MODULES = path.join(HERE, 'node_modules');
const ORIGIN = '@aave-dao/aave-v3-origin/src/contracts';

/** [source file under ORIGIN, contract name]: everything a market deploy needs. */
const CONTRACTS = [
  ['protocol/configuration/PoolAddressesProvider.sol', 'PoolAddressesProvider'],
  ['protocol/configuration/ACLManager.sol', 'ACLManager'],
  ['instances/PoolInstance.sol', 'PoolInstance'],
  ['instances/PoolConfiguratorInstance.sol', 'PoolConfiguratorInstance'],
  ['instances/ATokenInstance.sol', 'ATokenInstance'],
  ['instances/VariableDebtTokenInstance.sol', 'VariableDebtTokenInstance'],
  ['misc/AaveOracle.sol', 'AaveOracle'],
  ['misc/DefaultReserveInterestRateStrategyV2.sol', 'DefaultReserveInterestRateStrategyV2'],
  ['helpers/AaveProtocolDataProvider.sol', 'AaveProtocolDataProvider'],
  ['mocks/tokens/MintableERC20.sol', 'MintableERC20'],
  ['mocks/oracle/CLAggregators/MockAggregator.sol', 'MockAggregator'],
];

/** Every external logic library lives here; the pool and configurator link against them. */
const LIBRARY_DIR = 'protocol/libraries/logic';

const REMAPPINGS = [
  'openzeppelin-contracts/contracts/=@openzeppelin/contracts/',
  'openzeppelin-contracts-upgradeable/contracts/=@openzeppelin/contracts-upgradeable/',
  'solidity-utils/contracts/=@bgd-labs/solidity-utils/src/contracts/',
];

const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'shanghai',
  metadata: { bytecodeHash: 'none' },
  remappings: REMAPPINGS,
};

function log(msg) {
  process.stderr.write(`compile-origin: ${msg}\n`);
}

function versionOf(pkg) {
  const file = path.join(MODULES, pkg, 'package.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')).version;
}

function cacheKey() {
  const raw = [
    `origin-${versionOf('@aave-dao/aave-v3-origin')}`,
    `solc-${versionOf('solc')}`,
    `oz-${versionOf('@openzeppelin/contracts')}`,
    `ozu-${versionOf('@openzeppelin/contracts-upgradeable')}`,
    `utils-${versionOf('@bgd-labs/solidity-utils')}`,
    `script-${SCRIPT_VERSION}`,
  ].join('_');
  return raw.replace(/[^A-Za-z0-9._-]/g, '-');
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

function compile(outDir, key) {
  const require = createRequire(import.meta.url);
  const started = Date.now();
  const solc = require('solc');
  log(`solc-js ${solc.version()} loaded in ${Date.now() - started} ms`);

  const libraryFiles = fs
    .readdirSync(path.join(MODULES, ORIGIN, LIBRARY_DIR))
    .filter((f) => f.endsWith('.sol'))
    .map((f) => `${LIBRARY_DIR}/${f}`);
  const files = [...new Set([...CONTRACTS.map(([file]) => file), ...libraryFiles])];
  const sources = {};
  const outputSelection = {};
  for (const file of files) {
    const unit = `${ORIGIN}/${file}`;
    sources[unit] = { content: fs.readFileSync(path.join(MODULES, unit), 'utf8') };
    outputSelection[unit] = {
      '*': ['abi', 'evm.bytecode.object', 'evm.bytecode.linkReferences', 'evm.deployedBytecode.object'],
    };
  }
  const input = { language: 'Solidity', sources, settings: { ...SETTINGS, outputSelection } };
  log(`compiling ${files.length} entry files (this takes minutes with solc-js)…`);
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
  for (const [, name] of CONTRACTS) visit(name);

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
    settings: { ...SETTINGS },
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

function main() {
  const key = cacheKey();
  if (process.argv.includes('--key')) {
    process.stdout.write(`${key}\n`);
    return;
  }
  const outDir = path.join(HERE, '.cache', key);
  if (fs.existsSync(path.join(outDir, 'manifest.json'))) {
    log(`cached: ${outDir}`);
  } else {
    fs.mkdirSync(path.dirname(outDir), { recursive: true });
    compile(outDir, key);
  }
  process.stdout.write(`${outDir}\n`);
}

try {
  main();
} catch (e) {
  log(`failed: ${e.message}`);
  process.exit(1);
}
