// The Secret as deploy/README.md tells operators to create it.
export interface DocumentedSecret { name: string; keys: string[] }

/** `kubectl create secret generic NAME \ --from-literal=KEY=... \ ...` from the README. */
export function documentedSecrets(readme: string): DocumentedSecret[] {
  const commands = readme.match(/kubectl create secret generic [\w.-]+(?:[ \t]*\\\n[ \t]*--from-literal=[^\n]*?)+(?=\n)/g) ?? [];
  return commands.map((command) => ({
    name: /generic ([\w.-]+)/.exec(command)![1]!,
    keys: [...command.matchAll(/--from-literal=([\w.-]+)=/g)].map((m) => m[1]!),
  }));
}
