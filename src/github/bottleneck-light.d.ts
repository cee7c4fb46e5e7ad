// bottleneck/light.js is the build @octokit/plugin-throttling itself loads (no Redis clustering);
// it ships without types of its own, so it gets the package's.
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck';
  export default Bottleneck;
}
