/** SQL files imported as text (`with { type: 'text' }`), e.g. embedded migrations. */
declare module '*.sql' {
  const text: string;
  export default text;
}
