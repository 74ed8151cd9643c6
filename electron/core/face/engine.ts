/**
 * The face engine: @vladmandic/face-api on tfjs's WASM backend, in a worker_thread of the main process
 * (or of the CLI), so the UI's process never blocks on a frame. One request at a time (a queue), each
 * with a timeout; a missing model or wasm file is a clear error before the worker starts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { KioskError } from '../errors';
import type { Point } from '../../../native/face/liveness';
import { WORKER_SOURCE } from './worker-source';
import type { Rgba } from './image';

export const FACE_API_VERSION = '1.7.15';
export const FACE_MODEL_VERSION = `face-api-${FACE_API_VERSION}/ssd+landmark68+recognition/wasm`;

export interface DetectedFace {
  box: { x: number; y: number; width: number; height: number };
  score: number;
  landmarks: Point[];
  descriptor: number[];
}

export type Detector = 'ssd' | 'tiny';

export interface FaceEngineOptions {
  /** Milliseconds one frame may take before its request fails (the worker is restarted). */
  timeoutMs?: number;
  /** Milliseconds for loading the models. */
  loadTimeoutMs?: number;
}

const MODEL_FILES = [
  'ssd_mobilenetv1_model-weights_manifest.json',
  'tiny_face_detector_model-weights_manifest.json',
  'face_landmark_68_model-weights_manifest.json',
  'face_recognition_model-weights_manifest.json',
];
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'];

/** In a packaged app the files asarUnpack'ed live beside app.asar, in app.asar.unpacked. */
function unpacked(p: string): string {
  return p.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

export interface FaceAssets {
  resolveFrom: string;
  faceApiPath: string;
  wasmDir: string;
  modelDir: string;
}

/** Where the engine's code, wasm and models are (node_modules; KIOSK_FACE_MODELS overrides the models). */
export function faceAssets(): FaceAssets {
  const require = createRequire(import.meta.url);
  const faceApiPath = require.resolve('@vladmandic/face-api/dist/face-api.node-wasm.js');
  const wasmEntry = require.resolve('@tensorflow/tfjs-backend-wasm');
  const pkgDir = path.resolve(path.dirname(faceApiPath), '..');
  return {
    resolveFrom: faceApiPath,
    faceApiPath,
    wasmDir: unpacked(path.dirname(wasmEntry).replace(/([\\/]dist)([\\/].*)?$/, '$1')) + path.sep,
    modelDir: unpacked(process.env.KIOSK_FACE_MODELS ?? path.join(pkgDir, 'model')),
  };
}

export function modelsMissing(dir: string): KioskError {
  return new KioskError('face_models_missing', {
    vi: `Thiếu tệp mô hình nhận diện khuôn mặt (${dir}). Cài đặt lại ứng dụng hoặc báo bộ phận kỹ thuật.`,
    en: `The face recognition model files are missing (${dir}). Reinstall the app or tell technical support.`,
  });
}

export function engineFailed(en: string): KioskError {
  return new KioskError('face_engine_failed', {
    vi: 'Bộ đối chiếu khuôn mặt không hoạt động. Thử lại; nếu lặp lại, báo bộ phận kỹ thuật.',
    en: `The face engine failed: ${en}`,
  });
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout;
}

export class FaceEngine {
  private worker: Worker | undefined;
  private readyPromise: Promise<{ loadMs: number; backend: string }> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  private lastError: KioskError | null = null;
  private readonly timeoutMs: number;
  private readonly loadTimeoutMs: number;

  constructor(
    private readonly assets: FaceAssets = faceAssets(),
    options: FaceEngineOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.loadTimeoutMs = options.loadTimeoutMs ?? 60_000;
  }

  get error(): KioskError | null {
    return this.lastError;
  }

  get started(): boolean {
    return !!this.readyPromise;
  }

  /** Starts the worker and loads the models (once); resolves with the load time. */
  ready(): Promise<{ loadMs: number; backend: string }> {
    this.readyPromise ??= this.start().catch((e: unknown) => {
      this.lastError = e instanceof KioskError ? e : engineFailed(String(e));
      this.readyPromise = undefined;
      void this.worker?.terminate();
      this.worker = undefined;
      throw this.lastError;
    });
    return this.readyPromise;
  }

  private start(): Promise<{ loadMs: number; backend: string }> {
    const { modelDir, wasmDir } = this.assets;
    for (const f of MODEL_FILES) {
      if (!fs.existsSync(path.join(modelDir, f))) return Promise.reject(modelsMissing(modelDir));
    }
    for (const f of WASM_FILES) {
      if (!fs.existsSync(path.join(wasmDir, f))) return Promise.reject(modelsMissing(wasmDir));
    }
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: this.assets });
    worker.unref();
    this.worker = worker;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(engineFailed('model load timed out')), this.loadTimeoutMs);
      worker.on(
        'message',
        (m: {
          type?: string;
          id?: number;
          info?: { loadMs: number; backend: string };
          message?: string;
          error?: string;
        }) => {
          if (m.type === 'ready') {
            clearTimeout(timer);
            this.lastError = null;
            resolve(m.info!);
            return;
          }
          if (m.type === 'load-error') {
            clearTimeout(timer);
            reject(engineFailed(m.message ?? 'load error'));
            return;
          }
          const p = m.id !== undefined ? this.pending.get(m.id) : undefined;
          if (!p) return;
          this.pending.delete(m.id!);
          clearTimeout(p.timer);
          if (m.error) p.reject(engineFailed(m.error));
          else p.resolve(m);
        },
      );
      worker.on('error', (e) => {
        clearTimeout(timer);
        const err = engineFailed(e.message);
        reject(err);
        this.failAll(err);
      });
      worker.on('exit', () => {
        if (this.worker === worker) {
          this.worker = undefined;
          this.readyPromise = undefined;
        }
        this.failAll(engineFailed('worker exited'));
      });
    });
  }

  private failAll(e: KioskError): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(e);
      this.pending.delete(id);
    }
  }

  private request<T>(msg: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<T> {
    const run = async (): Promise<T> => {
      await this.ready();
      const worker = this.worker!;
      const id = this.nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.pending.delete(id);
          reject(engineFailed('frame timed out'));
          // A stuck worker is replaced on the next request.
          void worker.terminate();
        }, this.timeoutMs);
        this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        worker.postMessage({ ...msg, id }, transfer);
      });
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** Faces in an RGBA image, with 68 landmarks and a 128-d descriptor each. */
  async detect(img: Rgba, detector: Detector = 'ssd'): Promise<DetectedFace[]> {
    const data = img.data.slice().buffer;
    const r = await this.request<{ faces: DetectedFace[] }>(
      { width: img.width, height: img.height, data, detector },
      [data],
    );
    return r.faces;
  }

  /** The worker's memory (for the bench). */
  async memory(): Promise<{ memory: NodeJS.MemoryUsage; tfMemory: unknown }> {
    return this.request({ type: 'memory' });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.readyPromise = undefined;
    this.failAll(engineFailed('engine closed'));
    await w?.terminate();
  }
}
