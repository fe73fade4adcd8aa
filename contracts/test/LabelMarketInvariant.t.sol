// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {LabelMarket} from "../src/LabelMarket.sol";
import {LabelMarketBase} from "../src/LabelMarketBase.sol";
import {LabelToken} from "../src/LabelToken.sol";
import {Assertions} from "./utils/Assertions.sol";
import {Vm, vm} from "./utils/Vm.sol";

/// @dev What the invariant fuzzer calls: every protocol step by a few actors on a few
/// tasks, with random labels and verdicts. Calls that the market refuses are skipped.
contract MarketHandler {
    LabelToken public immutable token;
    LabelMarket public immutable market;
    address public immutable requester;
    address[] public actors;
    uint256[] public tasks;

    bytes32 private constant GOLD_SALT = keccak256("gold");
    bytes private constant PAYLOAD = hex"01";

    mapping(uint256 taskId => mapping(address => bytes)) private _labels;
    mapping(uint256 taskId => mapping(bytes32 => bytes)) private _verdicts; // key: seat, reviewer
    mapping(uint256 taskId => bytes) private _goldLabels;
    mapping(uint256 taskId => uint16[]) private _goldIndices;

    /// @notice Calls made and calls the market accepted, for a sanity check of coverage.
    uint256 public calls;
    uint256 public accepted;
    uint256 public finalized;

    constructor(
        LabelToken token_,
        LabelMarket market_,
        address requester_,
        address[] memory actors_,
        uint256[] memory keys_
    ) {
        token = token_;
        market = market_;
        requester = requester_;
        actors = actors_;
        _keys = keys_;
    }

    function _actor(uint256 seed) private view returns (address) {
        return actors[seed % actors.length];
    }

    function _task(uint256 seed) private view returns (uint256) {
        if (tasks.length == 0) return 0;
        return tasks[seed % tasks.length];
    }

    uint256[20] public okBy;
    uint256[20] public callsBy;

    /// @dev The holder of a seat of the task picked by `who` (so most calls are by seated
    /// accounts), or a plain actor when that seat is empty.
    function _seated(uint256 who, uint256 id) private view returns (address) {
        if (id != 0) {
            (address holder,,,) = market.getSeat(id, who % market.getTask(id).params.replication);
            if (holder != address(0)) return holder;
        }
        return _actor(who);
    }

    function _reviewer(uint256 who, uint256 id, uint256 seat) private view returns (address) {
        (address reviewer,,) = market.getReview(id, seat, who % 3);
        return reviewer != address(0) ? reviewer : _actor(who);
    }

    function _ok(bool ok) private {
        ++calls;
        if (ok) ++accepted;
        uint256 sel = uint256(uint32(msg.sig)) % 20;
        ++callsBy[sel];
        if (ok) ++okBy[sel];
    }

    function stake(uint256 who, uint256 amount) external {
        address a = _actor(who);
        amount = amount % (token.balanceOf(a) + 1);
        vm.prank(a);
        try market.stake(amount) {
            _ok(true);
        } catch {
            _ok(false);
        }
    }

    function unstake(uint256 who, uint256 amount) external {
        address a = _actor(who);
        amount = amount % (market.freeStake(a) / 8 + 1);
        vm.prank(a);
        try market.unstake(amount) {
            _ok(true);
        } catch {
            _ok(false);
        }
    }

    function createTask(uint256 seed) external {
        if (tasks.length >= 6) return;
        LabelMarket.TaskParams memory p;
        p.manifestHash = keccak256(abi.encode(seed));
        p.itemCount = 1 + seed % 40;
        p.classCount = 2 + (seed >> 8) % 3;
        p.replication = 1 + (seed >> 16) % 4;
        p.reviewers = (seed >> 24) % 3;
        p.rewardPerLabel = 1 + (seed >> 32) % 1e18;
        p.reviewRewardPerItem = p.reviewers == 0 ? 0 : 1 + (seed >> 96) % 1e17;
        p.stakePerItem = 1 + (seed >> 160) % 1e17;
        p.slashBps = (seed >> 40) % 10_001;
        p.quorumBps = 1 + (seed >> 56) % 10_000;
        p.leaveFee = (seed >> 72) % (p.stakePerItem * p.itemCount + 1);
        if ((seed >> 200) % 2 == 1) {
            uint16[] memory idx = new uint16[](1);
            idx[0] = uint16((seed >> 208) % p.itemCount);
            bytes memory gl = new bytes(1);
            gl[0] = bytes1(uint8(1 + (seed >> 216) % p.classCount));
            p.goldCommitment = keccak256(abi.encode(p.manifestHash, idx, gl, GOLD_SALT));
            p.minGoldAccuracyBps = (seed >> 224) % 10_001;
            _goldIndices[market.taskCount() + 1] = idx;
            _goldLabels[market.taskCount() + 1] = gl;
        }
        if ((seed >> 232) % 3 == 0) p.keyServer = requester;
        if (p.replication == 1 && p.reviewers == 0 && p.goldCommitment == 0) p.replication = 2;
        p.commitDeadline = block.timestamp + 100;
        p.revealDeadline = block.timestamp + 200;
        p.reviewCommitDeadline = block.timestamp + 300;
        p.reviewRevealDeadline = block.timestamp + 400;
        vm.prank(requester);
        try market.createTask(p, "") returns (uint256 id) {
            tasks.push(id);
            _ok(true);
        } catch {
            _ok(false);
        }
    }

    function cancelTask(uint256 t) external {
        vm.prank(requester);
        try market.cancelTask(_task(t)) {
            _ok(true);
        } catch {
            _ok(false);
        }
    }

    function join(uint256 who, uint256 t) external {
        address a = _actor(who);
        uint256 id = _task(t);
        if (id == 0) return;
        bytes memory key;
        if (market.getTask(id).params.keyServer != address(0)) {
            key = _publicKeyOf(who % actors.length);
        }
        vm.prank(a);
        try market.join(id, key) {
            _ok(true);
        } catch {
            _ok(false);
        }
    }

    function grantKey(uint256 who, uint256 t) external {
        uint256 id = _task(t);
        address a = _seated(who, id);
        vm.prank(requester);
        try market.grantKey(id, a, hex"00") {
            _ok(true);
        } catch {
            _ok(false);
        }
    }

    function leave(uint256 who, uint256 t) external {
        uint256 id = _task(t);
        vm.recordLogs();
        vm.prank(_seated(who, id));
        try market.leave(id) {
            _ok(true);
        } catch {
            _ok(false);
        }
        _countBurnEvents();
    }

    /// @notice The sum of the amounts of all `Burned` events the market emitted.
    uint256 public burnedInEvents;

    function _countBurnEvents() private {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(market) && logs[i].topics[0] == LabelMarketBase.Burned.selector) {
                (, uint256 amount) = abi.decode(logs[i].data, (uint8, uint256));
                burnedInEvents += amount;
            }
        }
    }

    function commit(uint256 who, uint256 t, uint256 seed) external {
        uint256 id = _task(t);
        if (id == 0) return;
        address a = _seated(who, id);
        LabelMarket.TaskView memory v = market.getTask(id);
        bytes memory labels = new bytes(v.params.itemCount);
        for (uint256 i; i < labels.length; ++i) {
            uint256 x = uint256(keccak256(abi.encode(seed, i)));
            // Mostly the "true" label 1 + i % classes, sometimes anything.
            labels[i] = bytes1(uint8(x % 3 == 0 ? x % (v.params.classCount + 2) : 1 + i % v.params.classCount));
        }
        bytes32 c = market.commitmentOf(id, a, keccak256(labels), keccak256(PAYLOAD), bytes32(seed));
        vm.prank(a);
        try market.commit(id, c) {
            _ok(true);
            _labels[id][a] = labels;
            _salt[id][a] = bytes32(seed);
        } catch {
            _ok(false);
        }
    }

    mapping(uint256 => mapping(address => bytes32)) private _salt;

    function reveal(uint256 who, uint256 t) external {
        uint256 id = _task(t);
        address a = _seated(who, id);
        vm.prank(a);
        try market.reveal(id, _labels[id][a], PAYLOAD, _salt[id][a]) {
            _ok(true);
        } catch {
            _ok(false);
        }
    }

    function joinReview(uint256 who, uint256 t, uint256 seat) external {
        address a = _actor(who);
        uint256 id = _task(t);
        if (id == 0) return;
        bytes memory key;
        if (market.getTask(id).params.keyServer != address(0)) key = _publicKeyOf(who % actors.length);
        vm.prank(a);
        try market.joinReview(id, seat % 4, key) {
            _ok(true);
        } catch {
            _ok(false);
        }
    }

    function commitReview(uint256 who, uint256 t, uint256 seat, uint256 seed) external {
        uint256 id = _task(t);
        if (id == 0) return;
        seat %= 4;
        address a = _reviewer(who, id, seat);
        bytes memory verdicts = new bytes(market.getTask(id).params.itemCount);
        for (uint256 i; i < verdicts.length; ++i) {
            verdicts[i] = bytes1(uint8(uint256(keccak256(abi.encode(seed, i))) % 4 == 0 ? 2 : 1));
        }
        bytes32 c = market.reviewCommitmentOf(id, seat, a, keccak256(verdicts), bytes32(0));
        vm.prank(a);
        try market.commitReview(id, seat, c) {
            _ok(true);
            _verdicts[id][keccak256(abi.encode(seat, a))] = verdicts;
        } catch {
            _ok(false);
        }
    }

    function revealReview(uint256 who, uint256 t, uint256 seat) external {
        uint256 id = _task(t);
        if (id == 0) return;
        seat %= 4;
        address a = _reviewer(who, id, seat);
        vm.prank(a);
        try market.revealReview(id, seat, _verdicts[id][keccak256(abi.encode(seat, a))], bytes32(0)) {
            _ok(true);
        } catch {
            _ok(false);
        }
    }

    function revealGold(uint256 t) external {
        uint256 id = _task(t);
        vm.prank(requester);
        try market.revealGold(id, _goldIndices[id], _goldLabels[id], GOLD_SALT) {
            _ok(true);
        } catch {
            _ok(false);
        }
    }

    /// @notice To the next deadline of any task (or one second past it), so that runs walk
    /// through every phase; a few seconds when no deadline is ahead.
    function warp(uint256 dt) external {
        uint256 next = type(uint256).max;
        for (uint256 j; j < tasks.length; ++j) {
            LabelMarket.TaskParams memory p = market.getTask(tasks[j]).params;
            uint256[4] memory d = [p.commitDeadline, p.revealDeadline, p.reviewCommitDeadline, p.reviewRevealDeadline];
            for (uint256 k; k < 4; ++k) {
                if (d[k] > block.timestamp && d[k] < next) next = d[k];
            }
        }
        if (next == type(uint256).max) vm.warp(block.timestamp + 1 + dt % 30);
        else vm.warp(next + dt % 2);
    }

    function finalize(uint256 t) external {
        uint256 id = _task(t);
        if (id == 0) return;
        LabelMarket.TaskView memory v = market.getTask(id);
        uint256 r = v.params.replication;
        uint256 nv = v.params.reviewers;
        bytes[] memory labels = new bytes[](r);
        bytes[] memory verdicts = new bytes[](r * nv);
        for (uint256 s; s < r; ++s) {
            (address holder,,,) = market.getSeat(id, s);
            labels[s] = _labels[id][holder];
            for (uint256 k; k < nv; ++k) {
                (address reviewer,,) = market.getReview(id, s, k);
                verdicts[s * nv + k] = _verdicts[id][keccak256(abi.encode(s, reviewer))];
            }
        }
        vm.recordLogs();
        try market.finalize(id, labels, _goldIndices[id], _goldLabels[id], verdicts) {
            _ok(true);
            ++finalized;
        } catch {
            _ok(false);
        }
        _countBurnEvents();
    }

    function claim(uint256 who) external {
        address a = who % 5 == 0 ? requester : _actor(who);
        vm.prank(a);
        try market.claim() {
            _ok(true);
        } catch {
            _ok(false);
        }
    }

    /// @notice Moves the task picked by `t` one phase on for every account in it (some
    /// randomly skipping their step), so that whole lifecycles happen in a short run.
    function progress(uint256 t, uint256 seed) external {
        uint256 id = _task(t);
        if (id == 0) return;
        LabelMarket.TaskParams memory p = market.getTask(id).params;
        if (block.timestamp <= p.commitDeadline) {
            for (uint256 k; k < p.replication; ++k) {
                if ((seed >> k) & 7 == 0) continue; // an empty seat or a non-committer, sometimes
                this.join(seed + k, t);
                this.commit(seed + k, t, seed ^ k);
            }
        } else if (block.timestamp <= p.revealDeadline) {
            for (uint256 k; k < p.replication; ++k) {
                if ((seed >> k) & 7 != 0) this.reveal(k, t);
            }
        } else if (block.timestamp <= p.reviewCommitDeadline) {
            for (uint256 k; k < p.replication * p.reviewers; ++k) {
                this.joinReview(seed + k, t, k % p.replication);
                this.commitReview(seed + k, t, k % p.replication, seed ^ k);
            }
        } else if (block.timestamp <= p.reviewRevealDeadline) {
            this.revealGold(t);
            for (uint256 k; k < p.replication * 3; ++k) {
                if ((seed >> k) & 7 != 0) this.revealReview(k, t, k / 3);
            }
        } else {
            this.finalize(t);
        }
    }

    // ---------------------------------------------------------------- for the invariants

    function taskCount() external view returns (uint256) {
        return tasks.length;
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    uint256[] private _keys;

    function _publicKeyOf(uint256 i) private returns (bytes memory) {
        return abi.encodePacked(vm.createWallet(_keys[i]).publicKeyX, vm.createWallet(_keys[i]).publicKeyY);
    }
}

/// @title Invariants of the market's books under random sequences of protocol steps
contract LabelMarketInvariantTest is Assertions {
    uint256 private constant SUPPLY = 1_000_000_000 ether;

    LabelToken private token;
    LabelMarket private market;
    MarketHandler private handler;
    address private requester;
    address[] private actors;

    function setUp() public {
        vm.warp(1_800_000_000);
        token = new LabelToken(address(this), SUPPLY);
        market = new LabelMarket(IERC20(address(token)));
        requester = vm.addr(0xA11CE);
        uint256[] memory keys = new uint256[](8);
        for (uint256 i; i < keys.length; ++i) {
            keys[i] = 0xB000 + i;
            actors.push(vm.addr(keys[i]));
        }
        handler = new MarketHandler(token, market, requester, actors, keys);
        token.transfer(requester, 1_000_000 ether);
        vm.prank(requester);
        token.approve(address(market), type(uint256).max);
        for (uint256 i; i < actors.length; ++i) {
            token.transfer(actors[i], 1_000 ether);
            vm.prank(actors[i]);
            token.approve(address(market), type(uint256).max);
            vm.prank(actors[i]);
            market.stake(500 ether);
        }
    }

    /// @notice forge fuzzes only the handler (the convention forge-std's StdInvariant uses).
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// The market's balance equals stakes + unspent escrow + credited balances.
    function invariant_balanceIsStakesEscrowAndCredits() public view {
        uint256 owed = market.credited(requester) + market.totalStake(requester);
        for (uint256 i; i < actors.length; ++i) {
            owed += market.totalStake(actors[i]) + market.credited(actors[i]);
        }
        uint256 n = market.taskCount();
        for (uint256 id = 1; id <= n; ++id) {
            owed += market.getTask(id).escrow;
        }
        assertEq(token.balanceOf(address(market)), owed, "balance = stakes + escrow + credited");
    }

    /// Total supply only falls, and only by what the market burned, each burn in an event.
    function invariant_supplyFallsOnlyByBurns() public view {
        assertEq(SUPPLY - token.totalSupply(), market.totalBurned(), "burned");
        assertEq(handler.burnedInEvents(), market.totalBurned(), "every burn announced by a Burned event");
    }

    /// Locked stake never exceeds stake.
    function invariant_lockedWithinStake() public view {
        for (uint256 i; i < actors.length; ++i) {
            assertTrue(market.lockedStake(actors[i]) <= market.totalStake(actors[i]), "locked <= staked");
        }
    }
}
