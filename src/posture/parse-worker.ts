// A posture-parsing worker (posture/parallel-load.ts): parses the files it is given, in order,
// and posts back their data, or null for a file that is not valid (the main thread reads that one
// again itself, to say what is wrong and on which line).
import { parentPort, workerData } from 'node:worker_threads'
import { readSourceData } from '../config/source-file.ts'

const files = (workerData as { files: string[] }).files
parentPort?.postMessage(files.map((file) => readSourceData(file) ?? null))
