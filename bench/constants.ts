/** Shared by the benchmark driver and its server processes (importing server.ts would start one). */
export const BENCH_API_KEY = `cpxd_${'bench'.repeat(8)}000`
export const BENCH_AUDITOR_KEY = `cpxd_${'audit'.repeat(8)}000`
export const BENCH_ISSUER = 'https://id.bench.example/'
export const BENCH_BUCKET = 'bench-evidence'
export const EVIDENCE_ITEMS = 50
export const S3_KEY = 'S3RVER'
export const BENCH_PUBLISHER_KEY = `cpxd_${'publi'.repeat(8)}000`
