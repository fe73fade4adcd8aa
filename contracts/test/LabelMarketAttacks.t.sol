// SPDX-License-Identifier: GPL-3.0-or-later
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {LabelMarket} from "../src/LabelMarket.sol";
import {LabelMarketBase} from "../src/LabelMarketBase.sol";
import {Assertions} from "./utils/Assertions.sol";
import {MarketBase} from "./utils/MarketBase.sol";
import {vm} from "./utils/Vm.sol";

/// @dev A token that calls back into the market while it moves tokens.
contract ReentrantToken is ERC20 {
    LabelMarket public market;
    bytes public payload;
    bool public swallow; // catch the reentrant call's failure instead of bubbling it
    bool public reentryFailed;

    constructor() ERC20("Evil", "EVIL") {
        _mint(msg.sender, 1_000_000 ether);
    }

    function arm(LabelMarket market_, bytes calldata payload_, bool swallow_) external {
        market = market_;
        payload = payload_;
        swallow = swallow_;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (payload.length != 0 && from == address(market)) {
            bytes memory p = payload;
            delete payload; // once
            (bool ok, bytes memory ret) = address(market).call(p);
            if (!ok) {
                reentryFailed = true;
                if (!swallow) {
                    assembly {
                        revert(add(ret, 32), mload(ret))
                    }
                }
            }
        }
    }

    /// @dev Lets the token act as an account of the market.
    function act(bytes calldata call) external {
        (bool ok,) = address(market).call(call);
        require(ok, "act failed");
    }

    function approveMarket() external {
        _approve(address(this), address(market), type(uint256).max);
    }
}

/// @dev An ERC-20 without burn and one that takes a fee on transfers.
contract PlainToken is ERC20 {
    uint256 public feeBps;

    constructor(uint256 feeBps_) ERC20("Plain", "PLN") {
        feeBps = feeBps_;
        _mint(msg.sender, 1_000_000 ether);
    }

    function mintHuge(address to) external {
        _mint(to, uint256(type(uint128).max) * 2);
    }

    function _update(address from, address to, uint256 value) internal override {
        uint256 fee = from == address(0) ? 0 : value * feeBps / 10_000;
        super._update(from, to, value - fee);
        if (fee != 0) super._update(from, address(0xFEE), fee);
    }
}

/// @title Attacks on the market that must fail
contract LabelMarketAttacksTest is MarketBase {
    function testReentrancyThroughMaliciousTokenReverts() public {
        ReentrantToken evil = new ReentrantToken();
        LabelMarket m = new LabelMarket(IERC20(address(evil)));
        evil.arm(m, "", false);
        evil.transfer(address(evil), 1000 ether);
        evil.approveMarket();
        evil.act(abi.encodeCall(LabelMarket.stake, (100 ether)));
        assertEq(m.totalStake(address(evil)), 100 ether, "staked");

        // unstake -> transfer -> unstake again inside the transfer
        evil.arm(m, abi.encodeCall(LabelMarket.unstake, (100 ether)), false);
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        vm.prank(address(evil));
        m.unstake(100 ether);
        assertEq(m.totalStake(address(evil)), 100 ether, "nothing moved");
        assertEq(evil.balanceOf(address(m)), 100 ether, "market keeps the stake");

        // With the failure swallowed, the outer call pays once and only once.
        evil.arm(m, abi.encodeCall(LabelMarket.unstake, (50 ether)), true);
        vm.prank(address(evil));
        m.unstake(50 ether);
        assertTrue(evil.reentryFailed(), "the reentrant call failed");
        assertEq(m.totalStake(address(evil)), 50 ether, "one withdrawal");
        assertEq(evil.balanceOf(address(m)), 50 ether, "one transfer");
    }

    function testReentrancyIntoClaimReverts() public {
        ReentrantToken evil = new ReentrantToken();
        LabelMarket m = new LabelMarket(IERC20(address(evil)));
        evil.arm(m, "", false);
        evil.transfer(address(evil), 1000 ether);
        evil.approveMarket();
        LabelMarket.TaskParams memory p = _params(4, 3, 0);
        evil.act(abi.encodeCall(LabelMarket.createTask, (p, "")));
        evil.act(abi.encodeCall(LabelMarket.cancelTask, (1)));
        assertEq(m.credited(address(evil)), 12 ether, "refund credited");
        evil.arm(m, abi.encodeCall(LabelMarket.claim, ()), false);
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        vm.prank(address(evil));
        m.claim();
        assertEq(m.credited(address(evil)), 12 ether, "still credited once");
    }

    function testFeeOnTransferTokenRefused() public {
        PlainToken fee = new PlainToken(100);
        LabelMarket m = new LabelMarket(IERC20(address(fee)));
        fee.approve(address(m), type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(LabelMarketBase.TokenTransferMismatch.selector, 100 ether, 99 ether));
        m.stake(100 ether);
    }

    function testStakeBeyond128BitsReverts() public {
        PlainToken big = new PlainToken(0);
        LabelMarket m = new LabelMarket(IERC20(address(big)));
        big.mintHuge(address(this));
        big.approve(address(m), type(uint256).max);
        m.stake(type(uint128).max);
        vm.expectRevert(LabelMarketBase.AmountTooLarge.selector);
        m.stake(1);
    }

    function testBurnFallsBackToDeadAddress() public {
        PlainToken plain = new PlainToken(0);
        LabelMarket m = new LabelMarket(IERC20(address(plain)));
        LabelMarket.TaskParams memory p = _params(4, 2, 0);
        plain.approve(address(m), type(uint256).max);
        m.createTask(p, "");
        address a = annotators[0];
        plain.transfer(a, 100 ether);
        vm.startPrank(a);
        plain.approve(address(m), type(uint256).max);
        m.stake(100 ether);
        m.join(1, "");
        m.leave(1);
        vm.stopPrank();
        assertEq(plain.balanceOf(m.BURN_ADDRESS()), LEAVE_FEE, "fee sent to the burn address");
        assertEq(m.totalBurned(), LEAVE_FEE, "counted");
    }

    function testSybilSeatsGainRequesterNothing() public {
        // The requester fills two seats with accounts of its own that never reveal,
        // hoping to get their reward slots back: they are burned, with the stake.
        uint256 id = _create(_params(4, 3, 0));
        bytes memory l = hex"01020304";
        _joinCommit(id, annotators[0], l);
        _joinCommit(id, annotators[6], l); // Sybil
        _join(id, annotators[7]); // Sybil
        vm.warp(COMMIT + 1);
        _reveal(id, annotators[0], l);
        _finalize(id, _arr(l, "", ""));
        assertEq(_credited(requester), 0, "no refund of the Sybil seats' slots");
        assertEq(market.totalBurned(), 2 * (8 ether + 4 * REWARD), "their stakes and slots burned");
        // With one valid submission and R = 3, its labels are the consensus (1 of 1).
        assertEq(_credited(annotators[0]), 4 * REWARD, "the honest annotator is paid");
        _checkBooks(0);
    }

    function testNoAdminSurface() public view {
        // Nothing but the protocol's own functions: no owner, no pause, no sweep.
        (bool ok,) = address(market).staticcall(abi.encodeWithSignature("owner()"));
        assertTrue(!ok, "no owner");
    }
}
