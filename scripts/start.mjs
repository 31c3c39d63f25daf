// `npm start`: the demo (embedded broker, Node-RED with this package, example flows, simulator).
import { startDemo } from './demo.mjs';

const demo = await startDemo();
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await demo.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
