// The reference home moved into a test's folder (gateway/bench/home-file.ts).
export { type HomeFile, homeFile } from '../../gateway/bench/home-file.ts';
