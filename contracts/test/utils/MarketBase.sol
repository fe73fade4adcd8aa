// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {LabelMarket} from "../../src/LabelMarket.sol";
import {LabelMarketBase} from "../../src/LabelMarketBase.sol";
import {LabelToken} from "../../src/LabelToken.sol";
import {Assertions} from "./Assertions.sol";
import {Vm, vm} from "./Vm.sol";

/// @title Shared set-up of the LabelMarket tests: a token, a market, funded and staked
/// annotators, reviewers and a requester, and helpers for each protocol step.
abstract contract MarketBase is Assertions {
    uint256 internal constant SUPPLY = 1_000_000_000 ether;
    uint256 internal constant T0 = 1_800_000_000;
    uint256 internal constant COMMIT = T0 + 1000;
    uint256 internal constant REVEAL = T0 + 2000;
    uint256 internal constant REVIEW_COMMIT = T0 + 3000;
    uint256 internal constant REVIEW_REVEAL = T0 + 4000;

    uint256 internal constant REWARD = 1 ether;
    uint256 internal constant REVIEW_REWARD = 0.25 ether;
    uint256 internal constant STAKE_PER_ITEM = 2 ether;
    uint256 internal constant SLASH_BPS = 5000; // 1 ether per wrong label
    uint256 internal constant LEAVE_FEE = 0.5 ether;
    uint256 internal constant INITIAL_STAKE = 1000 ether;
    uint256 internal constant WALLET = 10_000 ether;

    bytes internal constant PAYLOAD = hex"c0ffee";
    bytes32 internal constant MANIFEST = keccak256("manifest");
    bytes32 internal constant GOLD_SALT = keccak256("gold salt");

    LabelToken internal token;
    LabelMarket internal market;

    address internal requester;
    address internal keyServer;
    uint256[] internal annotatorKeys;
    address[] internal annotators;
    address[] internal reviewers;

    function setUp() public virtual {
        vm.warp(T0);
        token = new LabelToken(address(this), SUPPLY);
        market = new LabelMarket(IERC20(address(token)));

        requester = vm.addr(0xA11CE);
        keyServer = vm.addr(0x4E75);
        token.transfer(requester, 1_000_000 ether);
        vm.prank(requester);
        token.approve(address(market), type(uint256).max);

        for (uint256 i; i < 8; ++i) {
            uint256 key = 0xB000 + i;
            annotatorKeys.push(key);
            annotators.push(vm.addr(key));
            _fundAndStake(vm.addr(key));
            address reviewer = vm.addr(0xC000 + i);
            reviewers.push(reviewer);
            _fundAndStake(reviewer);
        }
    }

    function _fundAndStake(address who) internal {
        token.transfer(who, WALLET);
        vm.startPrank(who);
        token.approve(address(market), type(uint256).max);
        market.stake(INITIAL_STAKE);
        vm.stopPrank();
    }

    // ------------------------------------------------------------ tasks

    function _params(uint256 n, uint256 r, uint256 v) internal view returns (LabelMarket.TaskParams memory p) {
        p.manifestHash = MANIFEST;
        p.itemCount = n;
        p.classCount = 4;
        p.replication = r;
        p.reviewers = v;
        p.rewardPerLabel = REWARD;
        p.reviewRewardPerItem = v == 0 ? 0 : REVIEW_REWARD;
        p.stakePerItem = STAKE_PER_ITEM;
        p.slashBps = SLASH_BPS;
        p.quorumBps = 5001;
        p.leaveFee = LEAVE_FEE;
        p.commitDeadline = COMMIT;
        p.revealDeadline = REVEAL;
        p.reviewCommitDeadline = REVIEW_COMMIT;
        p.reviewRevealDeadline = REVIEW_REVEAL;
        if (block.timestamp >= COMMIT) {
            uint256 shift = block.timestamp - T0;
            p.commitDeadline += shift;
            p.revealDeadline += shift;
            p.reviewCommitDeadline += shift;
            p.reviewRevealDeadline += shift;
        }
    }

    function _create(LabelMarket.TaskParams memory p) internal returns (uint256 id) {
        vm.prank(requester);
        id = market.createTask(p, "http://127.0.0.1/manifest.json");
    }

    function _withGold(LabelMarket.TaskParams memory p, uint16[] memory idx, bytes memory gl, uint256 minBps)
        internal
        pure
        returns (LabelMarket.TaskParams memory)
    {
        p.goldCommitment = keccak256(abi.encode(p.manifestHash, idx, gl, GOLD_SALT));
        p.minGoldAccuracyBps = minBps;
        return p;
    }

    // ------------------------------------------------------------ labels

    function _same(uint256 n, uint8 value) internal pure returns (bytes memory b) {
        b = new bytes(n);
        for (uint256 i; i < n; ++i) {
            b[i] = bytes1(value);
        }
    }

    function _with(bytes memory b, uint256 i, uint8 value) internal pure returns (bytes memory c) {
        c = bytes.concat(b);
        c[i] = bytes1(value);
    }

    function _salt(address who) internal pure returns (bytes32) {
        return keccak256(abi.encode("salt", who));
    }

    function _commitment(uint256 id, address who, bytes memory labels) internal view returns (bytes32) {
        return keccak256(
            abi.encode(block.chainid, address(market), id, who, keccak256(labels), keccak256(PAYLOAD), _salt(who))
        );
    }

    function _join(uint256 id, address who) internal returns (uint256 seat) {
        vm.prank(who);
        seat = market.join(id, "");
    }

    function _joinCommit(uint256 id, address who, bytes memory labels) internal {
        _join(id, who);
        vm.prank(who);
        market.commit(id, _commitment(id, who, labels));
    }

    function _reveal(uint256 id, address who, bytes memory labels) internal {
        vm.prank(who);
        market.reveal(id, labels, PAYLOAD, _salt(who));
    }

    // ------------------------------------------------------------ reviews

    function _reviewCommitment(uint256 id, uint256 seat, address who, bytes memory verdicts)
        internal
        view
        returns (bytes32)
    {
        return keccak256(abi.encode(block.chainid, address(market), id, seat, who, keccak256(verdicts), _salt(who)));
    }

    function _joinCommitReview(uint256 id, uint256 seat, address who, bytes memory verdicts) internal {
        vm.prank(who);
        market.joinReview(id, seat, "");
        vm.prank(who);
        market.commitReview(id, seat, _reviewCommitment(id, seat, who, verdicts));
    }

    function _revealReview(uint256 id, uint256 seat, address who, bytes memory verdicts) internal {
        vm.prank(who);
        market.revealReview(id, seat, verdicts, _salt(who));
    }

    // ------------------------------------------------------------ settlement

    function _finalize(uint256 id, bytes[] memory labels) internal {
        vm.warp(REVIEW_REVEAL + 1);
        market.finalize(id, labels, new uint16[](0), "", new bytes[](0));
    }

    function _arr(bytes memory a) internal pure returns (bytes[] memory r) {
        r = new bytes[](1);
        r[0] = a;
    }

    function _arr(bytes memory a, bytes memory b) internal pure returns (bytes[] memory r) {
        r = new bytes[](2);
        r[0] = a;
        r[1] = b;
    }

    function _arr(bytes memory a, bytes memory b, bytes memory c) internal pure returns (bytes[] memory r) {
        r = new bytes[](3);
        r[0] = a;
        r[1] = b;
        r[2] = c;
    }

    function _u16(uint16 a) internal pure returns (uint16[] memory r) {
        r = new uint16[](1);
        r[0] = a;
    }

    function _u16(uint16 a, uint16 b) internal pure returns (uint16[] memory r) {
        r = new uint16[](2);
        r[0] = a;
        r[1] = b;
    }

    // ------------------------------------------------------------ checks

    function _credited(address who) internal view returns (uint256) {
        return market.credited(who);
    }

    function _stake(address who) internal view returns (uint256) {
        return market.totalStake(who);
    }

    function _publicKey(uint256 key) internal returns (bytes memory) {
        Vm.Wallet memory w = vm.createWallet(key);
        return abi.encodePacked(w.publicKeyX, w.publicKeyY);
    }

    /// @dev The sum of the market's `Burned` events among the logs recorded since the last
    /// call (tests call `vm.recordLogs()` first).
    function _burnedInLogs() internal returns (uint256 sum) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(market) && logs[i].topics[0] == LabelMarketBase.Burned.selector) {
                (, uint256 amount) = abi.decode(logs[i].data, (uint8, uint256));
                sum += amount;
            }
        }
    }

    /// @dev The market holds exactly what it owes, and supply fell only by what it burned.
    function _checkBooks(uint256 openEscrow) internal view {
        uint256 owed = openEscrow + _credited(requester);
        for (uint256 i; i < annotators.length; ++i) {
            owed += _stake(annotators[i]) + _credited(annotators[i]);
            owed += _stake(reviewers[i]) + _credited(reviewers[i]);
        }
        assertEq(token.balanceOf(address(market)), owed, "market balance = stakes + escrow + credited");
        assertEq(SUPPLY - token.totalSupply(), market.totalBurned(), "supply fell by what was burned");
    }
}
