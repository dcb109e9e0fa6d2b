/** Flowline targets Node.js 24 LTS: it runs TypeScript natively, and node-opcua, vitest and @dapr/dapr need 22+. */
export const requiredNodeMajor = 24;

export function nodeVersionProblem(version = process.versions.node): string | undefined {
  const major = Number(version.split('.')[0]);
  if (major === requiredNodeMajor) return undefined;
  return (
    `Flowline needs Node.js ${requiredNodeMajor}, but this is Node.js ${version}. ` +
    'Run it through npm (npm start, npm test): the project pins node@24 as a devDependency. ' +
    'If npm still runs the wrong Node, the node package\'s install script was blocked: run "npm rebuild node".'
  );
}

/** Fails loudly at start-up instead of failing strangely later. */
export function assertNodeVersion(): void {
  const problem = nodeVersionProblem();
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
}
