// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity ^0.8.24;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

import {LabelMarket} from "../src/LabelMarket.sol";
import {LabelMarketBase} from "../src/LabelMarketBase.sol";
import {MarketBase} from "./utils/MarketBase.sol";
import {vm} from "./utils/Vm.sol";

/// @title Unit tests of LabelMarket: every function, every revert, every deadline edge
contract LabelMarketTest is MarketBase {
    bytes32 private constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    // ============================================================ staking

    function testStakeAndViews() public {
        address a = annotators[0];
        (uint256 total, uint256 locked, uint256 free) = market.stakeOf(a);
        assertEq(total, INITIAL_STAKE, "total");
        assertEq(locked, 0, "locked");
        assertEq(free, INITIAL_STAKE, "free");

        vm.expectEmit(true, false, false, true);
        emit LabelMarketBase.Staked(a, 5 ether);
        vm.prank(a);
        market.stake(5 ether);
        assertEq(market.totalStake(a), INITIAL_STAKE + 5 ether, "after stake");
        assertEq(market.freeStake(a), INITIAL_STAKE + 5 ether, "free after stake");
        assertEq(market.lockedStake(a), 0, "locked after stake");
    }

    function testStakeZeroReverts() public {
        vm.expectRevert(LabelMarketBase.ZeroAmount.selector);
        vm.prank(annotators[0]);
        market.stake(0);
    }

    function testStakeWithoutAllowanceReverts() public {
        address stranger = vm.addr(0xDEAD01);
        token.transfer(stranger, 10 ether);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(market), 0, 1 ether)
        );
        vm.prank(stranger);
        market.stake(1 ether);
    }

    function testStakeWithPermit() public {
        uint256 key = 0xDEAD02;
        address holder = vm.addr(key);
        token.transfer(holder, 100 ether);
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 digest = keccak256(
            abi.encodePacked(
                "\x19\x01",
                token.DOMAIN_SEPARATOR(),
                keccak256(abi.encode(PERMIT_TYPEHASH, holder, address(market), 60 ether, 0, deadline))
            )
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        vm.prank(holder);
        market.stakeWithPermit(60 ether, deadline, v, r, s);
        assertEq(market.totalStake(holder), 60 ether, "staked with one transaction");
        assertEq(token.balanceOf(holder), 40 ether, "wallet");
        assertEq(token.nonces(holder), 1, "permit used");

        // The same permit again (as if front-run) is ignored; without allowance the pull fails.
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(market), 0, 60 ether)
        );
        vm.prank(holder);
        market.stakeWithPermit(60 ether, deadline, v, r, s);
    }

    function testStakeWithFrontRunPermitStillStakes() public {
        uint256 key = 0xDEAD03;
        address holder = vm.addr(key);
        token.transfer(holder, 100 ether);
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 digest = keccak256(
            abi.encodePacked(
                "\x19\x01",
                token.DOMAIN_SEPARATOR(),
                keccak256(abi.encode(PERMIT_TYPEHASH, holder, address(market), 60 ether, 0, deadline))
            )
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        token.permit(holder, address(market), 60 ether, deadline, v, r, s); // someone else submits it first
        vm.prank(holder);
        market.stakeWithPermit(60 ether, deadline, v, r, s);
        assertEq(market.totalStake(holder), 60 ether, "staked");
    }

    function testUnstake() public {
        address a = annotators[0];
        uint256 before = token.balanceOf(a);
        vm.expectEmit(true, false, false, true);
        emit LabelMarketBase.Unstaked(a, 100 ether);
        vm.prank(a);
        market.unstake(100 ether);
        assertEq(token.balanceOf(a), before + 100 ether, "wallet");
        assertEq(market.totalStake(a), INITIAL_STAKE - 100 ether, "stake");
    }

    function testUnstakeZeroReverts() public {
        vm.expectRevert(LabelMarketBase.ZeroAmount.selector);
        vm.prank(annotators[0]);
        market.unstake(0);
    }

    function testUnstakeMoreThanStakeReverts() public {
        vm.expectRevert(
            abi.encodeWithSelector(LabelMarketBase.InsufficientFreeStake.selector, INITIAL_STAKE, INITIAL_STAKE + 1)
        );
        vm.prank(annotators[0]);
        market.unstake(INITIAL_STAKE + 1);
    }

    function testUnstakeLockedReverts() public {
        uint256 id = _create(_params(4, 3, 0));
        _join(id, annotators[0]);
        uint256 lock = 4 * STAKE_PER_ITEM;
        assertEq(market.lockedStake(annotators[0]), lock, "locked by the seat");
        vm.expectRevert(
            abi.encodeWithSelector(LabelMarketBase.InsufficientFreeStake.selector, INITIAL_STAKE - lock, INITIAL_STAKE)
        );
        vm.prank(annotators[0]);
        market.unstake(INITIAL_STAKE);
        vm.prank(annotators[0]);
        market.unstake(INITIAL_STAKE - lock); // free stake only
        assertEq(market.totalStake(annotators[0]), lock, "locked stays");
    }

    // ============================================================ createTask

    function testCreateTaskEscrowsBudget() public {
        LabelMarket.TaskParams memory p = _params(8, 3, 2);
        uint256 budget = 8 * 3 * REWARD + 8 * 3 * 2 * REVIEW_REWARD;
        assertEq(market.budgetFor(p), budget, "budgetFor");
        uint256 before = token.balanceOf(requester);
        vm.expectEmit(true, true, false, true);
        emit LabelMarketBase.TaskCreated(1, requester, p, "http://127.0.0.1/manifest.json", budget);
        uint256 id = _create(p);
        assertEq(id, 1, "first id");
        assertEq(market.taskCount(), 1, "taskCount");
        assertEq(token.balanceOf(requester), before - budget, "pulled");
        LabelMarket.TaskView memory t = market.getTask(id);
        assertEq(t.escrow, budget, "escrow");
        assertEq(t.requester, requester, "requester");
        assertTrue(t.state == LabelMarketBase.TaskState.Open, "open");
        assertEq(t.params.itemCount, 8, "items");
        assertEq(t.params.replication, 3, "R");
        assertEq(t.params.reviewers, 2, "V");
        assertEq(t.params.reviewRevealDeadline, REVIEW_REVEAL, "last deadline");
        assertEq(t.params.manifestHash, MANIFEST, "manifest");
        assertEq(_create(p), 2, "second id");
        _checkBooks(2 * budget);
    }

    function testCreateTaskUnfundedReverts() public {
        address poor = vm.addr(0xDEAD04);
        token.transfer(poor, 1 ether);
        vm.prank(poor);
        token.approve(address(market), type(uint256).max);
        LabelMarket.TaskParams memory p = _params(4, 3, 0);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, poor, 1 ether, 12 ether));
        vm.prank(poor);
        market.createTask(p, "");
        assertEq(market.taskCount(), 0, "no task");
    }

    function testCreateTaskWithoutAllowanceReverts() public {
        address poor = vm.addr(0xDEAD05);
        token.transfer(poor, 100 ether);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(market), 0, 12 ether)
        );
        vm.prank(poor);
        market.createTask(_params(4, 3, 0), "");
    }

    function _expectCreateRevert(LabelMarket.TaskParams memory p, bytes memory err) private {
        vm.expectRevert(err);
        vm.prank(requester);
        market.createTask(p, "");
    }

    function testCreateTaskValidation() public {
        LabelMarket.TaskParams memory p;

        p = _params(4, 3, 0);
        p.manifestHash = 0;
        _expectCreateRevert(p, abi.encodeWithSelector(LabelMarketBase.InvalidManifest.selector));

        p = _params(0, 3, 0);
        _expectCreateRevert(p, abi.encodeWithSelector(LabelMarketBase.InvalidItemCount.selector, 0));
        p = _params(257, 3, 0);
        _expectCreateRevert(p, abi.encodeWithSelector(LabelMarketBase.InvalidItemCount.selector, 257));

        p = _params(4, 3, 0);
        p.classCount = 1;
        _expectCreateRevert(p, abi.encodeWithSelector(LabelMarketBase.InvalidClassCount.selector, 1));
        p.classCount = 256;
        _expectCreateRevert(p, abi.encodeWithSelector(LabelMarketBase.InvalidClassCount.selector, 256));

        p = _params(4, 0, 0);
        _expectCreateRevert(p, abi.encodeWithSelector(LabelMarketBase.InvalidReplication.selector, 0));
        p = _params(4, 8, 0);
        _expectCreateRevert(p, abi.encodeWithSelector(LabelMarketBase.InvalidReplication.selector, 8));
        p = _params(4, 3, 4);
        _expectCreateRevert(p, abi.encodeWithSelector(LabelMarketBase.InvalidReviewerCount.selector, 4));
        p = _params(4, 1, 0);
        _expectCreateRevert(p, abi.encodeWithSelector(LabelMarketBase.UnverifiableTask.selector));

        p = _params(4, 3, 0);
        p.rewardPerLabel = 0;
        _expectCreateRevert(p, abi.encodeWithSelector(LabelMarketBase.InvalidReward.selector));
        p = _params(4, 3, 0);
        p.rewardPerLabel = uint256(type(uint128).max) + 1;
        _expectCreateRevert(p, abi.encodeWithSelector(LabelMarketBase.InvalidReward.selector));
        p = _params(4, 3, 0);
        p.reviewRewardPerItem = 1;
        _expectCreateRevert(p, abi.encodeWithSelector(LabelMarketBase.InvalidReward.selector));
        p = _params(4, 3, 1);
        p.reviewRewardPerItem = 0;
        _expectCreateRevert(p, abi.encodeWithSelector(LabelMarketBase.InvalidReward.selector));

        p = _params(4, 3, 0);
        p.stakePerItem = 0;
        _expectCreateRevert(p, abi.encodeWithSelector(LabelMarketBase.InvalidStake.selector));
        p.stakePerItem = type(uint128).max;
        _expectCreateRevert(p, abi.encodeWithSelector(LabelMarketBase.InvalidStake.selector));

        p = _params(4, 3, 0);
        p.slashBps = 10_001;
        _expectCreateRevert(p, abi.encodeWithSelector(LabelMarketBase.InvalidBps.selector, 10_001));
        p = _params(4, 3, 0);
        p.quorumBps = 0;
        _expectCreateRevert(p, abi.encodeWithSelector(LabelMarketBase.InvalidBps.selector, 0));
        p.quorumBps = 10_001;
        _expectCreateRevert(p, abi.encodeWithSelector(LabelMarketBase.InvalidBps.selector, 10_001));
        p = _withGold(_params(4, 3, 0), _u16(0), hex"01", 10_001);
        _expectCreateRevert(p, abi.encodeWithSelector(LabelMarketBase.InvalidBps.selector, 10_001));
        p = _params(4, 3, 0);
        p.minGoldAccuracyBps = 5000; // without gold
        _expectCreateRevert(p, abi.encodeWithSelector(LabelMarketBase.InvalidGold.selector));

        p = _params(4, 3, 0);
        p.leaveFee = 4 * STAKE_PER_ITEM + 1;
        _expectCreateRevert(
            p,
            abi.encodeWithSelector(LabelMarketBase.LeaveFeeTooHigh.selector, 4 * STAKE_PER_ITEM + 1, 4 * STAKE_PER_ITEM)
        );

        p = _params(4, 3, 0);
        p.commitDeadline = block.timestamp;
        _expectCreateRevert(p, abi.encodeWithSelector(LabelMarketBase.InvalidDeadlines.selector));
        p = _params(4, 3, 0);
        p.revealDeadline = p.commitDeadline;
        _expectCreateRevert(p, abi.encodeWithSelector(LabelMarketBase.InvalidDeadlines.selector));
        p = _params(4, 3, 0);
        p.reviewCommitDeadline = p.revealDeadline;
        _expectCreateRevert(p, abi.encodeWithSelector(LabelMarketBase.InvalidDeadlines.selector));
        p = _params(4, 3, 0);
        p.reviewRevealDeadline = p.reviewCommitDeadline;
        _expectCreateRevert(p, abi.encodeWithSelector(LabelMarketBase.InvalidDeadlines.selector));
        p = _params(4, 3, 0);
        p.reviewRevealDeadline = uint256(type(uint64).max) + 1;
        _expectCreateRevert(p, abi.encodeWithSelector(LabelMarketBase.InvalidDeadlines.selector));

        // The edges that are allowed.
        p = _params(256, 7, 3);
        p.commitDeadline = block.timestamp + 1;
        p.leaveFee = 256 * STAKE_PER_ITEM;
        p.classCount = 255;
        p.slashBps = 10_000;
        p.quorumBps = 10_000;
        _create(p);
        _create(_params(1, 1, 1));
        _create(_withGold(_params(1, 1, 0), _u16(0), hex"01", 10_000));
    }

    function testCancelTask() public {
        LabelMarket.TaskParams memory p = _params(4, 3, 0);
        uint256 id = _create(p);
        vm.expectEmit(true, true, false, true);
        emit LabelMarketBase.TaskCancelled(id, requester, 12 ether);
        vm.prank(requester);
        market.cancelTask(id);
        assertEq(_credited(requester), 12 ether, "full refund credited");
        assertTrue(market.getTask(id).state == LabelMarketBase.TaskState.Cancelled, "cancelled");
        assertEq(market.getTask(id).escrow, 0, "no escrow");
        vm.expectRevert(
            abi.encodeWithSelector(LabelMarketBase.TaskNotOpen.selector, id, LabelMarketBase.TaskState.Cancelled)
        );
        _join(id, annotators[0]);
        vm.expectRevert(
            abi.encodeWithSelector(LabelMarketBase.TaskNotOpen.selector, id, LabelMarketBase.TaskState.Cancelled)
        );
        vm.prank(requester);
        market.cancelTask(id);
        _checkBooks(0);
    }

    function testCancelTaskByOtherReverts() public {
        uint256 id = _create(_params(4, 3, 0));
        vm.expectRevert(LabelMarketBase.NotRequester.selector);
        vm.prank(annotators[0]);
        market.cancelTask(id);
    }

    function testCancelTaskAfterJoinReverts() public {
        uint256 id = _create(_params(4, 3, 0));
        _join(id, annotators[0]);
        vm.prank(annotators[0]);
        market.leave(id);
        // Even once the seat is given back: the first join closes cancellation.
        vm.expectRevert(LabelMarketBase.TaskHasJoins.selector);
        vm.prank(requester);
        market.cancelTask(id);
    }

    function testUnknownTaskReverts() public {
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.UnknownTask.selector, 9));
        market.getTask(9);
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.UnknownTask.selector, 9));
        _join(9, annotators[0]);
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.UnknownTask.selector, 9));
        market.finalize(9, new bytes[](0), new uint16[](0), "", new bytes[](0));
    }

    // ============================================================ join / leave

    function testJoin() public {
        uint256 id = _create(_params(4, 2, 0));
        vm.expectEmit(true, true, false, true);
        emit LabelMarketBase.Joined(id, annotators[0], 0, "");
        assertEq(_join(id, annotators[0]), 0, "seat 0");
        assertEq(_join(id, annotators[1]), 1, "seat 1");
        (address holder, LabelMarketBase.SeatState state,,) = market.getSeat(id, 1);
        assertEq(holder, annotators[1], "holder");
        assertTrue(state == LabelMarketBase.SeatState.Joined, "joined");
        (bool seated, uint256 seat,,,) = market.getSubmission(id, annotators[1]);
        assertTrue(seated && seat == 1, "submission");
        (uint256 locked, uint256 maxReward) = market.pendingOf(id, annotators[0]);
        assertEq(locked, 8 ether, "pending locked");
        assertEq(maxReward, 4 ether, "pending reward");
        assertEq(market.getTask(id).seatsTaken, 2, "seatsTaken");
    }

    function testJoinTwiceReverts() public {
        uint256 id = _create(_params(4, 3, 0));
        _join(id, annotators[0]);
        vm.expectRevert(LabelMarketBase.AlreadyJoined.selector);
        _join(id, annotators[0]);
    }

    function testJoinPastSeatsReverts() public {
        uint256 id = _create(_params(4, 2, 0));
        _join(id, annotators[0]);
        _join(id, annotators[1]);
        vm.expectRevert(LabelMarketBase.NoSeatLeft.selector);
        _join(id, annotators[2]);
    }

    function testJoinWithoutFreeStakeReverts() public {
        address poor = vm.addr(0xDEAD06);
        token.transfer(poor, 10 ether);
        vm.startPrank(poor);
        token.approve(address(market), 10 ether);
        market.stake(7 ether);
        vm.stopPrank();
        uint256 id = _create(_params(4, 3, 0));
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.InsufficientFreeStake.selector, 7 ether, 8 ether));
        _join(id, poor);
    }

    function testRequesterCannotJoinOwnTask() public {
        uint256 id = _create(_params(4, 3, 0));
        vm.prank(requester);
        market.stake(100 ether);
        vm.expectRevert(LabelMarketBase.RequesterCannotJoin.selector);
        _join(id, requester);
    }

    function testJoinPublicTaskWithKeyReverts() public {
        uint256 id = _create(_params(4, 3, 0));
        bytes memory key = _publicKey(annotatorKeys[0]);
        vm.expectRevert(LabelMarketBase.BadPublicKey.selector);
        vm.prank(annotators[0]);
        market.join(id, key);
    }

    function testJoinDeadlineEdges() public {
        uint256 id = _create(_params(4, 3, 0));
        vm.warp(COMMIT);
        _join(id, annotators[0]);
        vm.warp(COMMIT + 1);
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.TooLate.selector, COMMIT));
        _join(id, annotators[1]);
    }

    function testLeaveBurnsFee() public {
        uint256 id = _create(_params(4, 2, 0));
        _join(id, annotators[0]);
        _join(id, annotators[1]);
        vm.expectEmit(true, true, false, true);
        emit LabelMarketBase.Left(id, annotators[0], 0, LEAVE_FEE);
        vm.expectEmit(true, true, false, true);
        emit LabelMarketBase.Burned(id, annotators[0], LabelMarketBase.BurnReason.LeaveFee, LEAVE_FEE);
        vm.prank(annotators[0]);
        market.leave(id);
        assertEq(_stake(annotators[0]), INITIAL_STAKE - LEAVE_FEE, "fee burned from stake");
        assertEq(market.lockedStake(annotators[0]), 0, "unlocked");
        assertEq(market.totalBurned(), LEAVE_FEE, "burned");
        (bool seated,,,,) = market.getSubmission(id, annotators[0]);
        assertTrue(!seated, "no seat");
        // The freed seat is taken again, and the leaver may come back.
        assertEq(_join(id, annotators[2]), 0, "seat 0 reused");
        vm.expectRevert(LabelMarketBase.NoSeatLeft.selector);
        _join(id, annotators[0]);
        _checkBooks(8 ether);
    }

    function testLeaveAfterCommitReverts() public {
        uint256 id = _create(_params(4, 3, 0));
        _joinCommit(id, annotators[0], _same(4, 1));
        vm.expectRevert(
            abi.encodeWithSelector(LabelMarketBase.WrongState.selector, LabelMarketBase.SeatState.Committed)
        );
        vm.prank(annotators[0]);
        market.leave(id);
    }

    function testLeaveWithoutSeatReverts() public {
        uint256 id = _create(_params(4, 3, 0));
        vm.expectRevert(LabelMarketBase.NotSeated.selector);
        vm.prank(annotators[0]);
        market.leave(id);
    }

    function testLeaveDeadlineEdges() public {
        uint256 id = _create(_params(4, 3, 0));
        _join(id, annotators[0]);
        _join(id, annotators[1]);
        vm.warp(COMMIT);
        vm.prank(annotators[0]);
        market.leave(id);
        vm.warp(COMMIT + 1);
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.TooLate.selector, COMMIT));
        vm.prank(annotators[1]);
        market.leave(id);
    }

    // ============================================================ commit / reveal

    function testCommitAndReveal() public {
        uint256 id = _create(_params(4, 3, 0));
        bytes memory labels = hex"01020304";
        _join(id, annotators[0]);
        bytes32 c = _commitment(id, annotators[0], labels);
        assertEq(
            market.commitmentOf(id, annotators[0], keccak256(labels), keccak256(PAYLOAD), _salt(annotators[0])),
            c,
            "commitmentOf"
        );
        vm.expectEmit(true, true, false, true);
        emit LabelMarketBase.Committed(id, annotators[0], 0, c);
        vm.prank(annotators[0]);
        market.commit(id, c);
        (,, LabelMarketBase.SeatState state, bytes32 hash,) = market.getSubmission(id, annotators[0]);
        assertTrue(state == LabelMarketBase.SeatState.Committed, "committed");
        assertEq(hash, c, "commitment stored");

        vm.warp(COMMIT + 1);
        vm.expectEmit(true, true, false, true);
        emit LabelMarketBase.Revealed(id, annotators[0], 0, labels, PAYLOAD);
        _reveal(id, annotators[0], labels);
        (,, state, hash,) = market.getSubmission(id, annotators[0]);
        assertTrue(state == LabelMarketBase.SeatState.Revealed, "revealed");
        assertEq(hash, keccak256(labels), "only the hash is stored");
    }

    function testCommitWithoutSeatReverts() public {
        uint256 id = _create(_params(4, 3, 0));
        vm.expectRevert(LabelMarketBase.NotSeated.selector);
        vm.prank(annotators[0]);
        market.commit(id, keccak256("x"));
    }

    function testCommitTwiceReverts() public {
        uint256 id = _create(_params(4, 3, 0));
        _joinCommit(id, annotators[0], _same(4, 1));
        vm.expectRevert(
            abi.encodeWithSelector(LabelMarketBase.WrongState.selector, LabelMarketBase.SeatState.Committed)
        );
        vm.prank(annotators[0]);
        market.commit(id, _commitment(id, annotators[0], _same(4, 2)));
    }

    function testCommitZeroReverts() public {
        uint256 id = _create(_params(4, 3, 0));
        _join(id, annotators[0]);
        vm.expectRevert(LabelMarketBase.ZeroCommitment.selector);
        vm.prank(annotators[0]);
        market.commit(id, bytes32(0));
    }

    function testCommitDeadlineEdges() public {
        uint256 id = _create(_params(4, 3, 0));
        _join(id, annotators[0]);
        _join(id, annotators[1]);
        vm.warp(COMMIT);
        vm.prank(annotators[0]);
        market.commit(id, _commitment(id, annotators[0], _same(4, 1)));
        vm.warp(COMMIT + 1);
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.TooLate.selector, COMMIT));
        vm.prank(annotators[1]);
        market.commit(id, _commitment(id, annotators[1], _same(4, 1)));
    }

    function testRevealDeadlineEdges() public {
        uint256 id = _create(_params(4, 3, 0));
        bytes memory labels = _same(4, 1);
        _joinCommit(id, annotators[0], labels);
        _joinCommit(id, annotators[1], labels);
        vm.warp(COMMIT);
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.TooEarly.selector, COMMIT));
        _reveal(id, annotators[0], labels);
        vm.warp(REVEAL);
        _reveal(id, annotators[0], labels);
        vm.warp(REVEAL + 1);
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.TooLate.selector, REVEAL));
        _reveal(id, annotators[1], labels);
    }

    function testRevealEarliestSecond() public {
        uint256 id = _create(_params(4, 3, 0));
        _joinCommit(id, annotators[0], _same(4, 1));
        vm.warp(COMMIT + 1);
        _reveal(id, annotators[0], _same(4, 1));
    }

    function testRevealWrongSaltReverts() public {
        uint256 id = _create(_params(4, 3, 0));
        _joinCommit(id, annotators[0], _same(4, 1));
        vm.warp(COMMIT + 1);
        vm.expectRevert(LabelMarketBase.CommitmentMismatch.selector);
        vm.prank(annotators[0]);
        market.reveal(id, _same(4, 1), PAYLOAD, keccak256("another salt"));
    }

    function testRevealOtherLabelsOrPayloadReverts() public {
        uint256 id = _create(_params(4, 3, 0));
        _joinCommit(id, annotators[0], _same(4, 1));
        vm.warp(COMMIT + 1);
        vm.expectRevert(LabelMarketBase.CommitmentMismatch.selector);
        _reveal(id, annotators[0], _same(4, 2));
        vm.expectRevert(LabelMarketBase.CommitmentMismatch.selector);
        vm.prank(annotators[0]);
        market.reveal(id, _same(4, 1), hex"00", _salt(annotators[0]));
    }

    function testRevealWrongLengthReverts() public {
        uint256 id = _create(_params(4, 3, 0));
        _joinCommit(id, annotators[0], _same(4, 1));
        vm.warp(COMMIT + 1);
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.BadLength.selector, 3, 4));
        _reveal(id, annotators[0], _same(3, 1));
    }

    function testRevealTwiceOrUncommittedReverts() public {
        uint256 id = _create(_params(4, 3, 0));
        _joinCommit(id, annotators[0], _same(4, 1));
        _join(id, annotators[1]);
        vm.warp(COMMIT + 1);
        _reveal(id, annotators[0], _same(4, 1));
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.WrongState.selector, LabelMarketBase.SeatState.Revealed));
        _reveal(id, annotators[0], _same(4, 1));
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.WrongState.selector, LabelMarketBase.SeatState.Joined));
        _reveal(id, annotators[1], _same(4, 1));
        vm.expectRevert(LabelMarketBase.NotSeated.selector);
        _reveal(id, annotators[2], _same(4, 1));
    }

    function testReplayOfAnotherCommitmentFails() public {
        uint256 id = _create(_params(4, 3, 0));
        bytes memory labels = hex"01020304";
        _joinCommit(id, annotators[0], labels);
        // annotators[1] copies annotators[0]'s commitment from the mempool or the chain...
        _join(id, annotators[1]);
        vm.prank(annotators[1]);
        market.commit(id, _commitment(id, annotators[0], labels));
        vm.warp(COMMIT + 1);
        _reveal(id, annotators[0], labels);
        // ...and the revealed labels and salt too: the commitment names its annotator.
        vm.expectRevert(LabelMarketBase.CommitmentMismatch.selector);
        vm.prank(annotators[1]);
        market.reveal(id, labels, PAYLOAD, _salt(annotators[0]));
    }

    function testCommitmentBindsChainAndMarket() public {
        uint256 id = _create(_params(4, 3, 0));
        bytes32 here = market.commitmentOf(id, annotators[0], keccak256("l"), keccak256("p"), bytes32(0));
        vm.chainId(1);
        bytes32 mainnet = market.commitmentOf(id, annotators[0], keccak256("l"), keccak256("p"), bytes32(0));
        assertTrue(here != mainnet, "chain id in the commitment");
    }

    // ============================================================ gold

    function testRevealGold() public {
        uint16[] memory idx = _u16(1, 3);
        bytes memory gl = hex"0204";
        uint256 id = _create(_withGold(_params(4, 3, 0), idx, gl, 5000));
        vm.warp(REVEAL + 1);
        vm.expectEmit(true, false, false, true);
        emit LabelMarketBase.GoldRevealed(id, idx, gl);
        vm.prank(requester);
        market.revealGold(id, idx, gl, GOLD_SALT);
        assertTrue(market.getTask(id).goldRevealed, "revealed");
        assertEq(market.goldHashOf(id), keccak256(abi.encode(idx, gl)), "hash");
        vm.expectRevert(LabelMarketBase.GoldAlreadyRevealed.selector);
        vm.prank(requester);
        market.revealGold(id, idx, gl, GOLD_SALT);
    }

    function testRevealGoldDeadlineEdges() public {
        uint16[] memory idx = _u16(1);
        bytes memory gl = hex"02";
        uint256 id = _create(_withGold(_params(4, 3, 0), idx, gl, 5000));
        uint256 id2 = _create(_withGold(_params(4, 3, 0), idx, gl, 5000));
        vm.warp(REVEAL);
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.TooEarly.selector, REVEAL));
        vm.prank(requester);
        market.revealGold(id, idx, gl, GOLD_SALT);
        vm.warp(REVIEW_REVEAL);
        vm.prank(requester);
        market.revealGold(id, idx, gl, GOLD_SALT);
        vm.warp(REVIEW_REVEAL + 1);
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.TooLate.selector, REVIEW_REVEAL));
        vm.prank(requester);
        market.revealGold(id2, idx, gl, GOLD_SALT);
    }

    function testRevealGoldFirstSecond() public {
        uint256 id = _create(_withGold(_params(4, 3, 0), _u16(1), hex"02", 5000));
        vm.warp(REVEAL + 1);
        vm.prank(requester);
        market.revealGold(id, _u16(1), hex"02", GOLD_SALT);
    }

    function testRevealGoldWrongSaltOrOtherSenderReverts() public {
        uint256 id = _create(_withGold(_params(4, 3, 0), _u16(1), hex"02", 5000));
        vm.warp(REVEAL + 1);
        vm.expectRevert(LabelMarketBase.GoldMismatch.selector);
        vm.prank(requester);
        market.revealGold(id, _u16(1), hex"02", keccak256("wrong"));
        vm.expectRevert(LabelMarketBase.GoldMismatch.selector);
        vm.prank(requester);
        market.revealGold(id, _u16(1), hex"03", GOLD_SALT);
        vm.expectRevert(LabelMarketBase.NotRequester.selector);
        vm.prank(annotators[0]);
        market.revealGold(id, _u16(1), hex"02", GOLD_SALT);
    }

    function testRevealGoldWithoutGoldReverts() public {
        uint256 id = _create(_params(4, 3, 0));
        vm.warp(REVEAL + 1);
        vm.expectRevert(LabelMarketBase.NoGold.selector);
        vm.prank(requester);
        market.revealGold(id, _u16(1), hex"02", GOLD_SALT);
    }

    function testRevealMalformedGoldReverts() public {
        // Committed but malformed gold cannot be revealed: the task settles without it.
        uint16[][4] memory idx = [_u16(2, 1), _u16(4), _u16(1), new uint16[](0)];
        bytes[4] memory gl = [bytes(hex"0101"), hex"01", hex"05", hex""];
        for (uint256 k; k < 4; ++k) {
            vm.warp(T0);
            uint256 id = _create(_withGold(_params(4, 3, 0), idx[k], gl[k], 5000));
            vm.warp(REVEAL + 1);
            vm.expectRevert(LabelMarketBase.InvalidGold.selector);
            vm.prank(requester);
            market.revealGold(id, idx[k], gl[k], GOLD_SALT);
        }
    }

    // ============================================================ private tasks

    function _privateTask() private returns (uint256 id) {
        LabelMarket.TaskParams memory p = _params(4, 2, 1);
        p.keyServer = keyServer;
        id = _create(p);
    }

    function testJoinPrivateTask() public {
        uint256 id = _privateTask();
        bytes memory key = _publicKey(annotatorKeys[0]);
        assertEq(address(uint160(uint256(keccak256(key)))), annotators[0], "key of the annotator");
        vm.expectEmit(true, true, false, true);
        emit LabelMarketBase.Joined(id, annotators[0], 0, key);
        vm.prank(annotators[0]);
        market.join(id, key);
    }

    function testJoinPrivateTaskWithOthersKeyReverts() public {
        uint256 id = _privateTask();
        bytes memory key = _publicKey(annotatorKeys[1]);
        vm.expectRevert(LabelMarketBase.BadPublicKey.selector);
        vm.prank(annotators[0]);
        market.join(id, key);
        vm.expectRevert(LabelMarketBase.BadPublicKey.selector);
        vm.prank(annotators[0]);
        market.join(id, "");
        bytes memory own = _publicKey(annotatorKeys[0]);
        vm.expectRevert(LabelMarketBase.BadPublicKey.selector);
        vm.prank(annotators[0]);
        market.join(id, bytes.concat(hex"04", own)); // 65-byte SEC1 form is refused
    }

    function testGrantKey() public {
        uint256 id = _privateTask();
        vm.prank(annotators[0]);
        market.join(id, _publicKey(annotatorKeys[0]));
        vm.expectEmit(true, true, false, true);
        emit LabelMarketBase.KeyGranted(id, annotators[0], hex"5eA1ed");
        vm.prank(keyServer);
        market.grantKey(id, annotators[0], hex"5eA1ed");
        (,,,, bool granted) = market.getSubmission(id, annotators[0]);
        assertTrue(granted, "granted");
    }

    function testGrantKeyOnlyByKeyServerAndToSeated() public {
        uint256 id = _privateTask();
        vm.prank(annotators[0]);
        market.join(id, _publicKey(annotatorKeys[0]));
        vm.expectRevert(LabelMarketBase.NotKeyServer.selector);
        vm.prank(requester);
        market.grantKey(id, annotators[0], hex"01");
        vm.expectRevert(LabelMarketBase.NotSeated.selector);
        vm.prank(keyServer);
        market.grantKey(id, annotators[1], hex"01");
        uint256 pub = _create(_params(4, 3, 0));
        vm.expectRevert(LabelMarketBase.NotPrivate.selector);
        vm.prank(keyServer);
        market.grantKey(pub, annotators[0], hex"01");
    }

    function testGrantKeyToReviewer() public {
        uint256 id = _privateTask();
        bytes memory labels = _same(4, 1);
        vm.prank(annotators[0]);
        market.join(id, _publicKey(annotatorKeys[0]));
        vm.prank(annotators[0]);
        market.commit(id, _commitment(id, annotators[0], labels));
        vm.warp(COMMIT + 1);
        _reveal(id, annotators[0], labels);
        Vm_ memory w = _reviewerWallet(0);
        vm.prank(w.addr);
        market.joinReview(id, 0, w.pub);
        vm.prank(keyServer);
        market.grantKey(id, w.addr, hex"02");
    }

    struct Vm_ {
        address addr;
        bytes pub;
    }

    function _reviewerWallet(uint256 i) private returns (Vm_ memory w) {
        w.addr = reviewers[i];
        w.pub = _publicKey(0xC000 + i);
    }

    function testLeavePrivateTaskFreeUntilGranted() public {
        uint256 id = _privateTask();
        vm.prank(annotators[0]);
        market.join(id, _publicKey(annotatorKeys[0]));
        vm.prank(annotators[1]);
        market.join(id, _publicKey(annotatorKeys[1]));
        vm.prank(keyServer);
        market.grantKey(id, annotators[1], hex"01");

        vm.expectEmit(true, true, false, true);
        emit LabelMarketBase.Left(id, annotators[0], 0, 0);
        vm.prank(annotators[0]);
        market.leave(id);
        assertEq(_stake(annotators[0]), INITIAL_STAKE, "no fee before the key");

        vm.prank(annotators[1]);
        market.leave(id);
        assertEq(_stake(annotators[1]), INITIAL_STAKE - LEAVE_FEE, "fee once the key was granted");
    }

    // ============================================================ reviews

    function _revealedForReview() private returns (uint256 id) {
        id = _create(_params(4, 2, 2));
        _joinCommit(id, annotators[0], _same(4, 1));
        _joinCommit(id, annotators[1], _same(4, 1));
        vm.warp(COMMIT + 1);
        _reveal(id, annotators[0], _same(4, 1));
    }

    function testJoinReview() public {
        uint256 id = _revealedForReview();
        vm.expectEmit(true, true, false, true);
        emit LabelMarketBase.ReviewJoined(id, reviewers[0], 0, 0, "");
        vm.prank(reviewers[0]);
        assertEq(market.joinReview(id, 0, ""), 0, "slot 0");
        vm.prank(reviewers[1]);
        assertEq(market.joinReview(id, 0, ""), 1, "slot 1");
        vm.expectRevert(LabelMarketBase.NoSeatLeft.selector);
        vm.prank(reviewers[2]);
        market.joinReview(id, 0, "");
        vm.expectRevert(LabelMarketBase.AlreadyJoined.selector);
        vm.prank(reviewers[0]);
        market.joinReview(id, 0, "");
        (address who, LabelMarketBase.SeatState state,) = market.getReview(id, 0, 1);
        assertEq(who, reviewers[1], "reviewer");
        assertTrue(state == LabelMarketBase.SeatState.Joined, "joined");
        assertEq(market.reviewSeatsOf(id, reviewers[0]), 1, "bit of seat 0");
        assertEq(market.lockedStake(reviewers[0]), 8 ether, "locked");
        (uint256 locked, uint256 maxReward) = market.pendingOf(id, reviewers[0]);
        assertEq(locked, 8 ether, "pending locked");
        assertEq(maxReward, 1 ether, "pending reward");
    }

    function testJoinReviewReverts() public {
        uint256 id = _revealedForReview();
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.SubmissionNotRevealed.selector, 1));
        vm.prank(reviewers[0]);
        market.joinReview(id, 1, "");
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.InvalidSeat.selector, 2));
        vm.prank(reviewers[0]);
        market.joinReview(id, 2, "");
        vm.expectRevert(LabelMarketBase.ReviewerIsAnnotator.selector);
        vm.prank(annotators[0]);
        market.joinReview(id, 0, "");
        vm.expectRevert(LabelMarketBase.ReviewerIsAnnotator.selector);
        vm.prank(annotators[1]);
        market.joinReview(id, 0, "");
        vm.prank(requester);
        market.stake(100 ether);
        vm.expectRevert(LabelMarketBase.RequesterCannotJoin.selector);
        vm.prank(requester);
        market.joinReview(id, 0, "");
        vm.expectRevert(LabelMarketBase.BadPublicKey.selector);
        vm.prank(reviewers[0]);
        market.joinReview(id, 0, hex"01");

        uint256 noReview = _create(_params(4, 3, 0));
        vm.expectRevert(LabelMarketBase.NoReviews.selector);
        vm.prank(reviewers[0]);
        market.joinReview(noReview, 0, "");
    }

    function testReviewDeadlineEdges() public {
        uint256 id = _revealedForReview();
        bytes memory verdicts = _same(4, 1);
        vm.warp(REVIEW_COMMIT);
        _joinCommitReview(id, 0, reviewers[0], verdicts);
        vm.prank(reviewers[1]);
        market.joinReview(id, 0, "");
        vm.warp(REVIEW_COMMIT + 1);
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.TooLate.selector, REVIEW_COMMIT));
        vm.prank(reviewers[2]);
        market.joinReview(id, 0, "");
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.TooLate.selector, REVIEW_COMMIT));
        vm.prank(reviewers[1]);
        market.commitReview(id, 0, _reviewCommitment(id, 0, reviewers[1], verdicts));

        vm.warp(REVIEW_COMMIT);
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.TooEarly.selector, REVIEW_COMMIT));
        _revealReview(id, 0, reviewers[0], verdicts);
        vm.warp(REVIEW_REVEAL + 1);
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.TooLate.selector, REVIEW_REVEAL));
        _revealReview(id, 0, reviewers[0], verdicts);
        vm.warp(REVIEW_REVEAL);
        vm.expectEmit(true, true, false, true);
        emit LabelMarketBase.ReviewRevealed(id, reviewers[0], 0, 0, verdicts);
        _revealReview(id, 0, reviewers[0], verdicts);
        (, LabelMarketBase.SeatState state, bytes32 hash) = market.getReview(id, 0, 0);
        assertTrue(state == LabelMarketBase.SeatState.Revealed, "revealed");
        assertEq(hash, keccak256(verdicts), "hash stored");
    }

    function testReviewCommitRevealReverts() public {
        uint256 id = _revealedForReview();
        bytes memory verdicts = _same(4, 2);
        vm.expectRevert(LabelMarketBase.NotSeated.selector);
        vm.prank(reviewers[0]);
        market.commitReview(id, 0, keccak256("x"));
        _joinCommitReview(id, 0, reviewers[0], verdicts);
        vm.expectRevert(
            abi.encodeWithSelector(LabelMarketBase.WrongState.selector, LabelMarketBase.SeatState.Committed)
        );
        vm.prank(reviewers[0]);
        market.commitReview(id, 0, keccak256("x"));
        vm.prank(reviewers[1]);
        market.joinReview(id, 0, "");
        vm.expectRevert(LabelMarketBase.ZeroCommitment.selector);
        vm.prank(reviewers[1]);
        market.commitReview(id, 0, bytes32(0));

        vm.warp(REVIEW_COMMIT + 1);
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.WrongState.selector, LabelMarketBase.SeatState.Joined));
        _revealReview(id, 0, reviewers[1], verdicts);
        vm.expectRevert(LabelMarketBase.CommitmentMismatch.selector);
        _revealReview(id, 0, reviewers[0], _same(4, 1));
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.BadLength.selector, 5, 4));
        _revealReview(id, 0, reviewers[0], _same(5, 2));
        vm.expectRevert(LabelMarketBase.NotSeated.selector);
        _revealReview(id, 1, reviewers[0], verdicts);
        _revealReview(id, 0, reviewers[0], verdicts);
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.WrongState.selector, LabelMarketBase.SeatState.Revealed));
        _revealReview(id, 0, reviewers[0], verdicts);
    }

    // ============================================================ finalize / claim

    function testFinalizeDeadlineEdges() public {
        uint256 id = _create(_params(4, 3, 0));
        vm.warp(REVIEW_REVEAL);
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.TooEarly.selector, REVIEW_REVEAL));
        market.finalize(id, new bytes[](3), new uint16[](0), "", new bytes[](0));
        vm.warp(REVIEW_REVEAL + 1);
        vm.expectEmit(true, false, false, true);
        emit LabelMarketBase.Finalized(id, 12 ether, 0);
        market.finalize(id, new bytes[](3), new uint16[](0), "", new bytes[](0));
        assertEq(_credited(requester), 12 ether, "nobody came: full refund");
        assertTrue(market.getTask(id).state == LabelMarketBase.TaskState.Finalized, "finalized");
    }

    function testFinalizeArrayLengthsChecked() public {
        uint256 id = _create(_params(4, 3, 1));
        vm.warp(REVIEW_REVEAL + 1);
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.BadLength.selector, 2, 3));
        market.finalize(id, new bytes[](2), new uint16[](0), "", new bytes[](3));
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.BadLength.selector, 2, 3));
        market.finalize(id, new bytes[](3), new uint16[](0), "", new bytes[](2));
    }

    function testDoubleFinalizeReverts() public {
        uint256 id = _create(_params(4, 3, 0));
        _finalize(id, new bytes[](3));
        vm.expectRevert(
            abi.encodeWithSelector(LabelMarketBase.TaskNotOpen.selector, id, LabelMarketBase.TaskState.Finalized)
        );
        market.finalize(id, new bytes[](3), new uint16[](0), "", new bytes[](0));
    }

    function testFinalizeForgedLabelsReverts() public {
        uint256 id = _create(_params(4, 3, 0));
        bytes memory labels = _same(4, 1);
        _joinCommit(id, annotators[0], labels);
        _joinCommit(id, annotators[1], labels);
        vm.warp(COMMIT + 1);
        _reveal(id, annotators[0], labels);
        _reveal(id, annotators[1], labels);
        vm.warp(REVIEW_REVEAL + 1);
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.LabelsMismatch.selector, 1));
        market.finalize(id, _arr(labels, _same(4, 2), ""), new uint16[](0), "", new bytes[](0));
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.LabelsMismatch.selector, 0));
        market.finalize(id, _arr(_same(4, 3), labels, ""), new uint16[](0), "", new bytes[](0));
    }

    function testFinalizeForgedVerdictsOrGoldReverts() public {
        uint256 id = _create(_withGold(_params(4, 2, 1), _u16(0), hex"01", 5000));
        bytes memory labels = _same(4, 1);
        _joinCommit(id, annotators[0], labels);
        vm.warp(COMMIT + 1);
        _reveal(id, annotators[0], labels);
        _joinCommitReview(id, 0, reviewers[0], _same(4, 1));
        vm.warp(REVIEW_COMMIT + 1);
        _revealReview(id, 0, reviewers[0], _same(4, 1));
        vm.prank(requester);
        market.revealGold(id, _u16(0), hex"01", GOLD_SALT);
        vm.warp(REVIEW_REVEAL + 1);
        bytes[] memory v = new bytes[](2);
        v[0] = _same(4, 2);
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.VerdictsMismatch.selector, 0));
        market.finalize(id, _arr(labels, ""), _u16(0), hex"01", v);
        v[0] = _same(4, 1);
        vm.expectRevert(LabelMarketBase.GoldMismatch.selector);
        market.finalize(id, _arr(labels, ""), _u16(0), hex"02", v);
        market.finalize(id, _arr(labels, ""), _u16(0), hex"01", v);
    }

    function testClaim() public {
        uint256 id = _create(_params(4, 3, 0));
        vm.prank(requester);
        market.cancelTask(id);
        uint256 before = token.balanceOf(requester);
        vm.expectEmit(true, false, false, true);
        emit LabelMarketBase.Claimed(requester, 12 ether);
        vm.prank(requester);
        assertEq(market.claim(), 12 ether, "claimed");
        assertEq(token.balanceOf(requester), before + 12 ether, "paid");
        vm.expectRevert(LabelMarketBase.NothingToClaim.selector);
        vm.prank(requester);
        market.claim();
    }

    function testViewsOfEmptyThings() public {
        uint256 id = _create(_params(4, 3, 0));
        (address holder, LabelMarketBase.SeatState state,,) = market.getSeat(id, 2);
        assertEq(holder, address(0), "empty seat");
        assertTrue(state == LabelMarketBase.SeatState.Empty, "empty");
        (address reviewer,,) = market.getReview(id, 0, 5);
        assertEq(reviewer, address(0), "no such review slot");
        (uint256 locked, uint256 maxReward) = market.pendingOf(id, annotators[0]);
        assertEq(locked + maxReward, 0, "nothing pending");
        (uint256 l2,) = market.pendingOf(99, annotators[0]);
        assertEq(l2, 0, "unknown task");
    }
}
