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

import { run, versionOf } from './compile-common.mjs';

/** Bump when the contract list, settings or output format change. */
const SCRIPT_VERSION = 1;

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

run({
  tag: 'compile-origin',
  solcPackage: 'solc',
  root: ORIGIN,
  contracts: CONTRACTS,
  libraryDir: LIBRARY_DIR,
  settings: SETTINGS,
  keyParts: [
    `origin-${versionOf('@aave-dao/aave-v3-origin')}`,
    `solc-${versionOf('solc')}`,
    `oz-${versionOf('@openzeppelin/contracts')}`,
    `ozu-${versionOf('@openzeppelin/contracts-upgradeable')}`,
    `utils-${versionOf('@bgd-labs/solidity-utils')}`,
    `script-${SCRIPT_VERSION}`,
  ],
});
