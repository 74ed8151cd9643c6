/**
 * The face engine's worker_thread, as source text run with `new Worker(source, { eval: true })`: the same
 * code runs under vitest, the bundled CLI and Electron's main process without a separate build entry.
 * It loads @vladmandic/face-api's Node WASM build (never tfjs-node, never a CDN: the .wasm files and the
 * models are the packages' own, paths passed in workerData) and answers one request at a time:
 *   { id, width, height, data (RGBA), detector } → { id, faces: [{ box, score, landmarks, descriptor }] }
 * Pixels and descriptors travel only between the threads, in memory.
 */
export const WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const req = createRequire(workerData.resolveFrom);
let faceapi;
let tf;
async function load() {
  const t0 = Date.now();
  tf = req('@tensorflow/tfjs');
  const wasm = req('@tensorflow/tfjs-backend-wasm');
  faceapi = req(workerData.faceApiPath);
  wasm.setWasmPaths(workerData.wasmDir, false);
  await tf.setBackend('wasm');
  await tf.ready();
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(workerData.modelDir);
  await faceapi.nets.tinyFaceDetector.loadFromDisk(workerData.modelDir);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(workerData.modelDir);
  await faceapi.nets.faceRecognitionNet.loadFromDisk(workerData.modelDir);
  return { loadMs: Date.now() - t0, backend: tf.getBackend(), version: faceapi.version };
}
async function detect(m) {
  const rgba = new Uint8Array(m.data);
  const px = m.width * m.height;
  const rgb = new Uint8Array(px * 3);
  for (let i = 0, j = 0; i < px; i++, j += 4) {
    rgb[i * 3] = rgba[j];
    rgb[i * 3 + 1] = rgba[j + 1];
    rgb[i * 3 + 2] = rgba[j + 2];
  }
  const tensor = tf.tensor3d(rgb, [m.height, m.width, 3], 'int32');
  try {
    const options =
      m.detector === 'tiny'
        ? new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 })
        : new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5, maxResults: 10 });
    const found = await faceapi.detectAllFaces(tensor, options).withFaceLandmarks().withFaceDescriptors();
    return found.map((f) => ({
      box: { x: f.detection.box.x, y: f.detection.box.y, width: f.detection.box.width, height: f.detection.box.height },
      score: f.detection.score,
      landmarks: f.landmarks.positions.map((p) => ({ x: p.x, y: p.y })),
      descriptor: Array.from(f.descriptor),
    }));
  } finally {
    tf.dispose(tensor);
  }
}
const ready = load();
ready.then(
  (info) => parentPort.postMessage({ type: 'ready', info }),
  (e) => parentPort.postMessage({ type: 'load-error', message: String((e && e.message) || e) }),
);
parentPort.on('message', async (m) => {
  try {
    await ready;
    if (m.type === 'memory') {
      parentPort.postMessage({ id: m.id, memory: process.memoryUsage(), tfMemory: tf.memory() });
      return;
    }
    const faces = await detect(m);
    parentPort.postMessage({ id: m.id, faces });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String((e && e.message) || e) });
  }
});
`;
