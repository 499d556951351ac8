%% A ring of N Erlang processes passing one token, for dev.mailboxthreads.benchmarks.RingVsErlang.
%% erl -noshell -pa DIR -run ring main N HOPS ROUNDS
%% Prints: SPAWN_NS <ns>, BYTES_PER_PROCESS <bytes>, then HOPS <hops> <ns> per round.
-module(ring).
-export([main/1]).

main([NS, HS, RS]) ->
    N = list_to_integer(NS), Hops = list_to_integer(HS), Rounds = list_to_integer(RS),
    Before = erlang:memory(processes),
    T0 = erlang:monotonic_time(nanosecond),
    First = build(N),
    T1 = erlang:monotonic_time(nanosecond),
    io:format("SPAWN_NS ~b~n", [T1 - T0]),
    lap(First, N),                                   % every process has run and waits
    io:format("BYTES_PER_PROCESS ~b~n", [(erlang:memory(processes) - Before) div N]),
    lap(First, Hops),                                % warm-up round
    [begin
         Ta = erlang:monotonic_time(nanosecond),
         lap(First, Hops),
         Tb = erlang:monotonic_time(nanosecond),
         io:format("HOPS ~b ~b~n", [Hops, Tb - Ta])
     end || _ <- lists:seq(1, Rounds)],
    halt(0).

%% Spawns N processes, each knowing the next; the last one's next is the first.
build(N) ->
    First = spawn(fun() -> receive {next, Next} -> loop(Next) end end),
    Last = lists:foldl(fun(_, Next) -> spawn(fun() -> loop(Next) end) end, First,
                       lists:seq(2, N)),
    First ! {next, Last},
    Last.

lap(Start, Hops) ->
    Start ! {token, Hops, self()},
    receive done -> ok end.

loop(Next) ->
    receive
        {token, 1, From} -> From ! done, loop(Next);
        {token, K, From} -> Next ! {token, K - 1, From}, loop(Next)
    end.
