/** The reference load's one activity: it returns what it was given. */
export const bareActivities = {
  async echo(n: number): Promise<number> {
    return n;
  },
};
