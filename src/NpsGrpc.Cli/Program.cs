using NpsGrpc.Cli;

return await NpsCommandLine.RunAsync(args);
