import Glibc

// Everything lives in App so that tests can import this module; main only exits.
let exitStatus = await App.run(arguments: Array(CommandLine.arguments.dropFirst()))
exit(exitStatus.rawValue)
