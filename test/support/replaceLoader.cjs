// A webpack loader for tests that bundle the workflows as another release would have them: replaces
// one exact piece of a source file (options: from, to) and fails when it is not there, so a test
// never passes on a bundle that was not changed.
module.exports = function replace(source) {
  const { from, to } = this.getOptions();
  if (!source.includes(from)) throw new Error(`${this.resourcePath}: ${JSON.stringify(from)} not found`);
  return source.replace(from, to);
};
