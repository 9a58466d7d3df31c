// The reference home moved into a test's folder (tools/bench/home-file.ts).
export { type HomeFile, homeFile } from '../../tools/bench/home-file.ts';
