// `npm start`: the demo (embedded broker, Node-RED with this package, example flows, simulator).
// Wipes and rewrites .demo/ (its user dir) on every start. Exits non-zero, saying why, when the
// port (1880 or PORT) is taken.
import { startDemo } from './demo.mjs';

let demo;
try {
  demo = await startDemo();
} catch (err) {
  console.error(`npm start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await demo.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
