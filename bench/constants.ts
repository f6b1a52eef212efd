/** Shared by the benchmark driver and its server processes (importing server.ts would start one). */
export const BENCH_API_KEY = `cpxd_${'bench'.repeat(8)}000`
export const BENCH_ISSUER = 'https://id.bench.example/'
