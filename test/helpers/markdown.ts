/** The fenced code blocks of one language (```yaml, ```ini ...) in a markdown text, in order. */
export function fencedBlocks (markdown: string, language: string): string[] {
  return [...markdown.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\``, 'gm'))].map((match) => match[1] as string)
}
