// The tests' redis-server is the benchmarks' (bench/_redis.ts): a real one, on a free port.
export { REDIS_SERVER, RedisInstance, freePort } from '../../bench/_redis.js';
