#!/usr/bin/env node
// Compiles Morpho Blue from the npm package @morpho-org/morpho-blue with the solc-js its sources
// pin (0.8.19, the npm alias solc-0.8.19), offline, into devnet/.cache/<key>/ (the key starts
// with morpho-): Morpho itself and the package's mocks a devnet needs (OracleMock with a
// settable price, IrmMock, ERC20Mock). Settings are upstream's (foundry.toml): via-IR, optimizer
// 999,999 runs; no metadata hash. The key covers the package and compiler versions and
// SCRIPT_VERSION. See compile-common.mjs for the output and the cache.
//
// Usage: node compile-morpho.mjs            prints the artifact folder on stdout (last line)
//        node compile-morpho.mjs --key      prints the cache key only (no compile)

import { run, versionOf } from './compile-common.mjs';

/** Bump when the contract list, settings or output format change. */
const SCRIPT_VERSION = 1;

run({
  tag: 'compile-morpho',
  solcPackage: 'solc-0.8.19',
  root: '@morpho-org/morpho-blue/src',
  contracts: [
    ['Morpho.sol', 'Morpho'],
    ['mocks/OracleMock.sol', 'OracleMock'],
    ['mocks/IrmMock.sol', 'IrmMock'],
    ['mocks/ERC20Mock.sol', 'ERC20Mock'],
  ],
  settings: {
    viaIR: true,
    optimizer: { enabled: true, runs: 999999 },
    metadata: { bytecodeHash: 'none' },
  },
  keyParts: [
    `morpho-${versionOf('@morpho-org/morpho-blue')}`,
    `solc-${versionOf('solc-0.8.19')}`,
    `script-${SCRIPT_VERSION}`,
  ],
});
