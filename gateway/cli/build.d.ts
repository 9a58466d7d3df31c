// The types of build.js, which stays JavaScript: it runs before any TypeScript can.
export function currentBuild(root?: string): Promise<string>;
