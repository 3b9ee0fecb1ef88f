// Runs a wasm32-wasip1 build of a Rust command under Node's WASI, so the same benchmark code
// can be measured natively and as wasm in one run (`cargo xtask bench`).
// usage: node tests/bench/wasi-run.mjs FILE.wasm DATA_DIR [ARGS...]
import { readFile } from "node:fs/promises";
import { WASI } from "node:wasi";

const [wasmPath, dataDir, ...args] = process.argv.slice(2);
const wasi = new WASI({
  version: "preview1",
  args: ["sudoku", ...args],
  preopens: { "/data": dataDir },
  returnOnExit: true,
});
const module = await WebAssembly.compile(await readFile(wasmPath));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
