#!/usr/bin/env node
// Compiles contracts/src with the pinned solc-js and writes one artifact per deployable contract.
//
// Usage: node build.js [output-dir]      (default: ../resources/contracts; AIT_CONTRACTS_OUT also works)
//
// The artifacts are committed so the wallet needs no node at run time; tests/chain/test_artifacts.py
// rebuilds into a temporary directory and requires byte-identical files, so the output must be
// deterministic: fixed settings, sorted inputs, fixed key order, no timestamps or absolute paths.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const CONTRACTS_DIR = __dirname;
const SRC_DIR = path.join(CONTRACTS_DIR, 'src');
const NODE_MODULES = path.join(CONTRACTS_DIR, 'node_modules');
const DEFAULT_OUT = path.join(CONTRACTS_DIR, '..', 'resources', 'contracts');
const ARTIFACTS = ['AIToken', 'ProviderRegistry', 'TokenSale'];

// Pinned so the bytecode does not change with the compiler's default target. Cancun is supported by
// anvil, Ethereum and the L2 testnets the wallet targets; nothing here needs a later fork's opcodes.
const SETTINGS = {
  evmVersion: 'cancun',
  optimizer: { enabled: true, runs: 200 },
};

function fail(message) {
  process.stderr.write(`build.js: ${message}\n`);
  process.exit(1);
}

let solc;
try {
  solc = require('solc');
} catch (e) {
  fail(`cannot load solc (${e.message}). Run \`npm install --prefix contracts\` first.`);
}

function readSources() {
  const sources = {};
  const names = fs.readdirSync(SRC_DIR).filter((f) => f.endsWith('.sol')).sort();
  for (const name of names) {
    sources[`src/${name}`] = { content: fs.readFileSync(path.join(SRC_DIR, name), 'utf8') };
  }
  return sources;
}

// Every file read through the import callback, so the source hash covers library code too.
const imported = {};

function findImports(importPath) {
  const resolved = path.resolve(NODE_MODULES, importPath);
  if (!resolved.startsWith(NODE_MODULES + path.sep)) {
    return { error: `import outside node_modules refused: ${importPath}` };
  }
  try {
    const content = fs.readFileSync(resolved, 'utf8');
    imported[importPath] = content;
    return { contents: content };
  } catch (e) {
    return { error: `not found in contracts/node_modules: ${importPath} (run \`npm install --prefix contracts\`)` };
  }
}

// sha256 over the sorted source units a contract was compiled from (its metadata's `sources`):
// for each unit, its name, a NUL, its content, a NUL.
function sourceHash(unitNames, allSources) {
  const h = crypto.createHash('sha256');
  for (const name of [...unitNames].sort()) {
    const content = allSources[name];
    if (content === undefined) fail(`source ${name} named in metadata was never loaded`);
    h.update(name, 'utf8');
    h.update('\0');
    h.update(content, 'utf8');
    h.update('\0');
  }
  return h.digest('hex');
}

function main() {
  const outDir = path.resolve(process.argv[2] || process.env.AIT_CONTRACTS_OUT || DEFAULT_OUT);
  const sources = readSources();
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      ...SETTINGS,
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object', 'metadata'] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));

  const diagnostics = output.errors || [];
  const errors = diagnostics.filter((d) => d.severity === 'error');
  for (const d of diagnostics.filter((d) => d.severity !== 'error')) {
    process.stderr.write(d.formattedMessage || `${d.severity}: ${d.message}\n`);
  }
  if (errors.length > 0) {
    for (const d of errors) process.stderr.write(d.formattedMessage || `error: ${d.message}\n`);
    fail(`compilation failed with ${errors.length} error(s).`);
  }

  const allSources = { ...imported };
  for (const [name, { content }] of Object.entries(sources)) allSources[name] = content;

  fs.mkdirSync(outDir, { recursive: true });
  const version = solc.version();
  for (const name of ARTIFACTS) {
    const unit = `src/${name}.sol`;
    const compiled = output.contracts && output.contracts[unit] && output.contracts[unit][name];
    if (!compiled) fail(`${unit} did not produce contract ${name}`);
    const metadata = JSON.parse(compiled.metadata);
    // Fixed key order: this object literal's order is the file's order.
    const artifact = {
      contractName: name,
      abi: compiled.abi,
      bytecode: `0x${compiled.evm.bytecode.object}`,
      deployedBytecode: `0x${compiled.evm.deployedBytecode.object}`,
      compiler: { version, settings: SETTINGS },
      sourceHash: sourceHash(Object.keys(metadata.sources), allSources),
    };
    const file = path.join(outDir, `${name}.json`);
    fs.writeFileSync(file, `${JSON.stringify(artifact, null, 2)}\n`);
    process.stdout.write(`wrote ${path.relative(process.cwd(), file) || file}\n`);
  }
}

main();
